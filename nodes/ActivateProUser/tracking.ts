// ActivatePro's request tracking: the status of a tracking id, and waiting for several (polling with backoff, a
// concurrency limit). Uses transport, shared/.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { inputError } from '../shared/errors';
import { encodePathSegment } from '../shared/http';
import { duration, nodeLog } from '../shared/log';
import { pastDeadlineText, WaitRefused } from '../shared/waits';
import { activateProError, activateProRequest } from './transport';

/** A wait for processing longer than this is logged at info level (ActivatePro usually takes a second or two). */
const SLOW_TRACKING_MS = 10_000;

export interface TrackingStatus extends IDataObject {
	stage: string;
	total: number;
	success: number;
	error: number;
}

export const TRACKING_EXPIRED = 'unknown or expired (tracking ids live 24 hours)';

/**
 * GET /users/track/{id}: the status, or a clear error for an unknown or expired id. With a deadline (a wait for
 * completion), no wait of the request passes it: one that would throws WaitRefused 'deadline' (see pollUntilDone).
 */
export async function fetchTracking(
	ctx: IExecuteFunctions,
	trackingId: string,
	itemIndex?: number,
	deadline?: number,
): Promise<TrackingStatus> {
	const answer = await activateProRequest(
		ctx,
		'GET',
		`/users/track/${encodePathSegment(trackingId)}`,
		undefined,
		itemIndex,
		{ deadline },
	);
	if (answer.statusCode !== 200) {
		throw activateProError(ctx.getNode(), answer, {
			itemIndex,
			action: 'read the request status',
			notFound: `Tracking ID ${trackingId} is ${TRACKING_EXPIRED}`,
		});
	}
	const body = (answer.body ?? {}) as IDataObject;
	return {
		stage: String(body.stage ?? ''),
		total: Number(body.total ?? 0),
		success: Number(body.success ?? 0),
		error: Number(body.error ?? 0),
	};
}

/**
 * Waits for several tracking ids together. Returns the final status of each; throws when the timeout passes
 * (naming the ids still pending, to check later with "Get Request Status").
 */
export async function waitForTrackings(
	ctx: IExecuteFunctions,
	trackingIds: string[],
	timeoutMs: number,
	itemIndex?: number,
): Promise<Map<string, TrackingStatus>> {
	const log = nodeLog(ctx);
	const result = await pollUntilDone<TrackingStatus>(
		trackingIds,
		(id, deadline) =>
			fetchTracking(ctx, id, itemIndex, deadline).then(
				(status): PollState<TrackingStatus> => ({ done: status.stage === 'PROCESSED', value: status }),
				(error: unknown) => stopAtDeadline<TrackingStatus>(error),
			),
		{ ...DEFAULT_POLL_SCHEDULE, timeoutMs },
		undefined,
		({ finished, total, elapsedMs, rounds }) => {
			// Routine waits stay at debug; one that takes long is worth a line at info.
			const line = `tracking ${trackingIds.join(', ')}: ${finished} of ${total} processed after ${rounds} polls, ${duration(elapsedMs)}`;
			if (elapsedMs >= SLOW_TRACKING_MS && finished < total) log.info(line);
			else log.debug(line);
		},
	);
	if (result.unfinished.size > 0) {
		const ids = [...result.unfinished.keys()];
		log.warn(
			`tracking ${ids.join(', ')} still pending after ${duration(result.waitedMs)}: giving up the wait (the request may still complete)`,
		);
		// Stopped early: the next check would have waited past the Timeout (a Retry-After, a retry's backoff).
		const early = result.stoppedBy ? ` (${pastDeadlineText('ActivatePro', result.stoppedBy)})` : '';
		throw inputError(
			ctx.getNode(),
			`ActivatePro had not finished ${early ? `within the ${Math.round(timeoutMs / 1000)} s Timeout${early}` : `after ${Math.round(timeoutMs / 1000)} s`}; still pending: tracking ID ${ids.join(', ')}`,
			itemIndex ?? 0,
			'The request was accepted and may still complete. Check it later with the "Get Request Status" operation (tracking ids live 24 hours), or raise "Timeout (Seconds)".',
		);
	}
	return result.finished;
}

// ---------- polling ----------

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
