/** Time is passed in: nothing in the core reads the system clock. */
export interface Clock {
  now(): Date;
}

/** A clock that only moves when told to (tests, replays). */
export class FakeClock implements Clock {
  private t: number;
  constructor(start: Date | string) {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
