/** Detail types the controller publishes (source `dr.controller`). */
export type NoticeType =
  | 'DR Decision'
  | 'DR Failover Started'
  | 'DR Failover Completed'
  | 'DR Failover Halted'
  | 'DR Step Completed'
  /** One per target of a readiness evaluation (domain/readiness.ts), one result per check. */
  | 'DR Readiness';

export interface Notice {
  readonly detailType: NoticeType;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Where decisions and notices go for people and other systems (EventBridge in AWS). */
export interface Publisher {
  /** Publish every notice or fail: partial failures are retried, then raised. */
  publish(notices: readonly Notice[]): Promise<void>;
}
