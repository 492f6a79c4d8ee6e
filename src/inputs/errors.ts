import { ActionError } from '../log/runner.ts';

/** A problem with one of the action's inputs (parseSettings throws them all at once, in an AggregateError). */
export class InputError extends ActionError {
  readonly input: string;
  constructor(input: string, problem: string) {
    super(`Invalid input: ${input}`, `Input "${input}" ${problem}`);
    this.name = 'InputError';
    this.input = input;
  }
}
