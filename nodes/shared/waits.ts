// Shared: WaitBudget, the cap on every wait, and what a refused wait tells the user. Uses n8n types.
import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

// Every wait of the nodes (pacing, Retry-After, rate-limit headers, backoff) goes through a WaitBudget: no
// single wait is longer than the node's "Max Wait per Request", the waits of one request together are not
// longer either, and a deadline (the "Timeout" of a wait for completion) is never slept past. A wait that does
// not fit is not slept at all: the item fails at once and says who asked for how long.

/** How long the nodes wait for one request unless "Max Wait per Request (Seconds)" says otherwise. */
export const DEFAULT_MAX_WAIT_MS = 60_000;

/** Who asked for a wait: the header and its value, or our own backoff (no header). */
export interface WaitReason {
	/** What the wait is for, e.g. "a 429 (too many requests)", "the announced rate limit". */
	what: string;
	header?: string;
	value?: string;
}

/**
 * tooLong: this one wait is longer than the cap; tooMuch: with the waits before it, this request would wait
 * longer than the cap; deadline: it would pass the deadline.
 */
export type RefusalKind = 'tooLong' | 'tooMuch' | 'deadline';

export class WaitRefused extends Error {
	constructor(
		readonly kind: RefusalKind,
		readonly askedMs: number,
		readonly reason: WaitReason,
		readonly maxWaitMs: number,
		readonly spentMs: number,
		readonly waits: number,
	) {
		super(
			`${asked(askedMs, reason)}: not waited (${kind === 'deadline' ? 'it would pass the Timeout' : `longer than the ${humanDuration(maxWaitMs)} the node waits for one request`})`,
		);
		this.name = 'WaitRefused';
	}
}

export class WaitBudget {
	spentMs = 0;
	waits = 0;

	constructor(
		readonly maxWaitMs: number = DEFAULT_MAX_WAIT_MS,
		/** Epoch ms not to sleep past (a wait for completion's Timeout); undefined: none. */
		readonly deadline?: number,
	) {}

	/** What stands against a wait of `ms` now; undefined when it fits. */
	refusal(ms: number, now = Date.now()): RefusalKind | undefined {
		if (this.deadline !== undefined && now + ms > this.deadline) return 'deadline';
		if (ms > this.maxWaitMs) return 'tooLong';
		if (this.spentMs + ms > this.maxWaitMs) return 'tooMuch';
		return undefined;
	}

	/** Counts a wait of `ms` against the budget; when it does not fit, counts nothing and says why (WaitRefused). */
	take(ms: number, reason: WaitReason): WaitRefused | undefined {
		if (!(ms > 0)) return undefined;
		const refused = this.refusal(ms);
		if (refused) return new WaitRefused(refused, ms, reason, this.maxWaitMs, this.spentMs, this.waits);
		this.spentMs += ms;
		this.waits++;
		return undefined;
	}

	/** The time-out for one attempt: the usual one, cut at the deadline (at least a second, so it can answer). */
	attemptTimeoutMs(usualMs: number, now = Date.now()): number {
		if (this.deadline === undefined) return usualMs;
		return Math.max(1000, Math.min(usualMs, this.deadline - now));
	}
}

/** "Retry-After: 100000 asks for 27.8 h" */
function asked(ms: number, reason: WaitReason): string {
	const who = reason.header ? `${reason.header}: ${reason.value ?? '?'}` : 'backoff';
	return `${reason.what}: ${who} asks for ${humanDuration(ms)}`;
}

/** 350 ms, 45 s, 12 min, 5.3 h, 23 days: a wait as a person reads it. */
export function humanDuration(ms: number): string {
	if (ms < 1000) return `${Math.round(ms)} ms`;
	const s = ms / 1000;
	if (s < 120) return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
	if (s < 7200) return `${Math.round(s / 60)} min`;
	if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
	return `${Math.round(s / 86_400)} days`;
}

/**
 * What a refused wait means for the person running the workflow: the message names the header, the wait
 * asked for and the cap; the description says what to do. `service` as in "ActivatePro", "the Email API".
 */
export function waitRefusedText(
	service: string,
	refused: WaitRefused,
	request: string,
): { message: string; description: string } {
	const header = refused.reason.header ? `${refused.reason.header}: ${refused.reason.value ?? '?'}` : 'backoff';
	const cap = humanDuration(refused.maxWaitMs);
	const message =
		refused.kind === 'tooMuch'
			? `${service} kept asking ${request} to wait: ${refused.waits} waits (${humanDuration(refused.spentMs)}) and now ${humanDuration(refused.askedMs)} more (${header}) — more than the ${cap} the node waits for one request`
			: `${service} asks to wait ${humanDuration(refused.askedMs)} (${header}) before ${request} — longer than the ${cap} the node waits for one request`;
	return {
		message,
		description:
			`Not waited, so that the workflow does not stall (${refused.reason.what}). Run the item again after that time, ` +
			'or raise "Max Wait per Request (Seconds)" under Options if waiting that long is acceptable.',
	};
}

/**
 * The node's "Max Wait per Request (Seconds)" (Options) for an item, in ms; the default where the node has
 * none or it is not set (and in the editor's list searches, which have no item).
 */
export function maxWaitMs(ctx: IExecuteFunctions | ILoadOptionsFunctions, itemIndex = 0): number {
	if (!('getInputData' in ctx)) return DEFAULT_MAX_WAIT_MS;
	let raw: unknown;
	try {
		raw = (ctx as IExecuteFunctions).getNodeParameter('options.maxWait', itemIndex, DEFAULT_MAX_WAIT_MS / 1000);
	} catch {
		return DEFAULT_MAX_WAIT_MS;
	}
	const seconds = typeof raw === 'number' ? raw : Number(raw);
	return raw === '' || raw === null || !Number.isFinite(seconds) || seconds < 0 ? DEFAULT_MAX_WAIT_MS : seconds * 1000;
}

/**
 * Why a wait for completion ended before its Timeout: "ActivatePro asks to wait 60 s (Retry-After: 60) before the
 * next check, …".
 */
export function pastDeadlineText(service: string, refused: WaitRefused): string {
	if (!refused.reason.header)
		return `retrying after ${refused.reason.what} would wait ${humanDuration(refused.askedMs)}, past the Timeout`;
	return `${service} asks to wait ${humanDuration(refused.askedMs)} (${refused.reason.header}: ${refused.reason.value ?? '?'}) before the next check, past the Timeout`;
}
