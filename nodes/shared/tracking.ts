// Shared: polling async jobs until done or timed out, and a map with a concurrency limit. Uses waits.
import { sleep } from 'n8n-workflow';

import { WaitRefused } from './waits';

export interface PollSchedule {
	/** Give up after this long (the job may still finish later). */
	timeoutMs: number;
	/** First wait before asking again; grows by `factor` up to maxIntervalMs. */
	initialIntervalMs: number;
	maxIntervalMs: number;
	factor: number;
}

export const DEFAULT_POLL_SCHEDULE: PollSchedule = {
	timeoutMs: 60_000,
	initialIntervalMs: 100,
	maxIntervalMs: 3_000,
	factor: 1.6,
};

/** A job's state after a check; pastDeadline: the check would have waited past the timeout (polling ends). */
export type PollState<T> = { done: true; value: T } | { done: false; value?: T; pastDeadline?: WaitRefused };

/**
 * A check's error as its state: a wait that would pass the deadline (WaitRefused 'deadline') leaves the job
 * unfinished and ends the polling, as the timeout would; any other error is thrown on.
 */
export function stopAtDeadline<T>(error: unknown): PollState<T> {
	if (error instanceof WaitRefused && error.kind === 'deadline') return { done: false, pastDeadline: error };
	throw error;
}

export interface PollResult<T> {
	/** Keys that finished, with their final value. */
	finished: Map<string, T>;
	/** Keys still unfinished at the timeout, with their last value. */
	unfinished: Map<string, T | undefined>;
	waitedMs: number;
	rounds: number;
	/**
	 * Set when a check's own wait (a Retry-After, a retry's backoff) would have passed the timeout: polling
	 * stopped there.
	 */
	stoppedBy?: WaitRefused;
}

/**
 * Polls several async jobs together until each is done or the timeout passes. Each round asks only about
 * the jobs still open, so N jobs cost one request each per round, and rounds slow down with backoff.
 * `check` gets the deadline (epoch ms): its requests must not wait past it (see WaitBudget), and a check that
 * would returns pastDeadline (see stopAtDeadline): its job stays unfinished and the polling ends, as at the
 * timeout. An error thrown by `check` ends the wait for every job (the caller maps it per item).
 */
export async function pollUntilDone<T>(
	keys: string[],
	check: (key: string, deadline: number) => Promise<PollState<T>>,
	schedule: PollSchedule = DEFAULT_POLL_SCHEDULE,
	concurrency = 8,
	onRound?: (round: { finished: number; total: number; elapsedMs: number; rounds: number }) => void,
): Promise<PollResult<T>> {
	const started = Date.now();
	const deadline = started + schedule.timeoutMs;
	const finished = new Map<string, T>();
	const unfinished = new Map<string, T | undefined>(keys.map((k) => [k, undefined]));
	let interval = schedule.initialIntervalMs;
	let rounds = 0;
	let stoppedBy: WaitRefused | undefined;
	while (unfinished.size > 0) {
		rounds++;
		const open = [...unfinished.keys()];
		const states = await mapWithConcurrency(open, concurrency, (key) => check(key, deadline));
		open.forEach((key, i) => {
			const state = states[i];
			if (!state.done && state.pastDeadline) {
				stoppedBy ??= state.pastDeadline; // unfinished, with its last value
				return;
			}
			if (state.done) {
				unfinished.delete(key);
				finished.set(key, state.value);
			} else {
				unfinished.set(key, state.value);
			}
		});
		onRound?.({ finished: finished.size, total: keys.length, elapsedMs: Date.now() - started, rounds });
		if (unfinished.size === 0 || stoppedBy) break;
		const elapsed = Date.now() - started;
		if (elapsed >= schedule.timeoutMs) break;
		await sleep(Math.min(interval, schedule.timeoutMs - elapsed));
		interval = Math.min(schedule.maxIntervalMs, Math.round(interval * schedule.factor));
	}
	return { finished, unfinished, waitedMs: Date.now() - started, rounds, stoppedBy };
}

/** Runs `fn` over `values` with at most `limit` calls in flight; results keep the input order. */
export async function mapWithConcurrency<V, R>(
	values: V[],
	limit: number,
	fn: (value: V, index: number) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(values.length);
	let next = 0;
	const workers = Array.from({ length: Math.max(1, Math.min(limit, values.length)) }, async () => {
		while (next < values.length) {
			const index = next++;
			results[index] = await fn(values[index], index);
		}
	});
	await Promise.all(workers);
	return results;
}
