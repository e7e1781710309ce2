/** An input the controller could not use, kept with the reason so a person can act on it. */
export interface DeadLetter {
  /** The raw input exactly as received (e.g. the SQS message body). */
  readonly body: string;
  /** Why it was rejected, naming the field and the fix. */
  readonly reason: string;
  readonly field?: string;
  /** Id of the message it came in, for deduplication and tracing. */
  readonly sourceId: string;
}

/** Where rejected inputs go: nothing is dropped silently (an SQS dead-letter queue in AWS). */
export interface DeadLetters {
  send(letter: DeadLetter): Promise<void>;
}
