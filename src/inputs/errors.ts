/** A problem with one of the action's inputs (parseSettings throws them all at once, in an AggregateError). */
export class InputError extends Error {
  readonly input: string;
  constructor(input: string, problem: string) {
    super(`Input "${input}" ${problem}`);
    this.name = 'InputError';
    this.input = input;
  }
}
