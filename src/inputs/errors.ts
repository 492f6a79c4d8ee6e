/** A problem with one of the action's inputs, found before any request is sent. */
export class InputError extends Error {
  readonly input: string;
  constructor(input: string, problem: string) {
    super(`Input "${input}" ${problem}`);
    this.name = 'InputError';
    this.input = input;
  }
}

/** Every bad input of a run at once, so one run shows them all (one error line each). */
export class InputErrors extends Error {
  readonly errors: InputError[];
  constructor(errors: InputError[]) {
    super(errors.map((error) => error.message).join('\n'));
    this.name = 'InputErrors';
    this.errors = errors;
  }
}
