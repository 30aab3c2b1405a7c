/** What the measures of bench/profile.ts share: the settings, the server, the accounts, the goals. */
import type { Accounts } from './setup.js';
import type { Driver, Server } from './drivers.js';

/** How much each measure does (full run, or `--quick`). */
export interface Settings {
  readonly quick: boolean;
  /** Contacts in the owner's roster, each with a vCard. */
  readonly contacts: number;
  readonly latency: {
    /** Samples wanted per library x transport x request, at most. */
    readonly target: number;
    /** Fewest samples when the budget runs out first. */
    readonly min: number;
    readonly perRound: number;
    /** Time budget of one library x transport (all its requests), in ms. */
    readonly budgetMs: number;
  };
  readonly friends: {
    /** Cold fetches per library x transport (one per round). */
    readonly rounds: number;
    /** Warm fetches after each of our cold ones. */
    readonly warm: number;
    /** Requests in flight for the peers. */
    readonly inFlight: number;
    /** Time budget of one peer fetch, in ms; a peer over it is not run again. */
    readonly budgetMs: number;
  };
  readonly heap: {
    /** Idle sessions per library; a peer whose logins or sessions are too costly gets fewer (see heapCount). */
    readonly sessions: number;
    readonly idleMs: number;
  };
  readonly throughput: {
    readonly sessions: number;
    readonly inFlight: number;
    readonly warmupMs: number;
    readonly windowMs: number;
    /** Rounds in which the libraries take turns; the median round counts. */
    readonly rounds: number;
  };
}

export function settingsFor(quick: boolean): Settings {
  return {
    quick,
    contacts: quick ? 250 : 1000,
    latency: quick ? { target: 100, min: 30, perRound: 25, budgetMs: 1500 } : { target: 400, min: 60, perRound: 50, budgetMs: 5000 },
    friends: quick ? { rounds: 2, warm: 5, inFlight: 32, budgetMs: 4000 } : { rounds: 5, warm: 10, inFlight: 32, budgetMs: 20_000 },
    heap: quick ? { sessions: 50, idleMs: 1000 } : { sessions: 500, idleMs: 2000 },
    throughput: quick ? { sessions: 8, inFlight: 4, warmupMs: 300, windowMs: 1000, rounds: 2 } : { sessions: 8, inFlight: 4, warmupMs: 500, windowMs: 3000, rounds: 3 },
  };
}

/** The goals, in the order they were checked. */
export class Goals {
  readonly #rows: string[][] = [];

  /** `met` undefined: could not be told (a figure is missing). */
  add(goal: string, measured: string, met: boolean | undefined): void {
    this.#rows.push([goal, measured, met === undefined ? 'unknown' : met ? 'met' : 'NOT MET']);
  }

  rows(): readonly string[][] {
    return this.#rows;
  }
}

export interface Context {
  readonly settings: Settings;
  readonly server: Server;
  readonly accounts: Accounts;
  /** Ours first, then the peers that loaded. */
  readonly drivers: readonly Driver[];
  /** Peers that could not be loaded, and why. */
  readonly failures: readonly (readonly [string, string])[];
  readonly goals: Goals;
  /** Progress, to stderr. */
  log(line: string): void;
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 160);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `a / b` as `1.23x`, or `-`. */
export function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-';
}
