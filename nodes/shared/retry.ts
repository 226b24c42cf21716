// Shared: retries with backoff and Retry-After, and which failures are worth one. Uses attempt, log, waits.
import { sleep } from 'n8n-workflow';

import type { AttemptOutcome } from './attempt';
import { duration, type NodeLog } from './log';
import { WaitBudget, WaitRefused, type WaitReason } from './waits';

export interface RetryPolicy {
	/** Retries after the first attempt, for connection errors and 5xx. */
	maxRetries: number;
	/** First backoff; doubles every retry (with jitter), never above maxDelayMs. */
	baseDelayMs: number;
	maxDelayMs: number;
	/** How many 429s we wait out before reporting the rate limit (their sum is bounded by the WaitBudget). */
	maxRateLimitWaits: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: 5,
	baseDelayMs: 400,
	maxDelayMs: 10_000,
	maxRateLimitWaits: 10,
};

export const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** RFC 9110's IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT" (the day name is not checked). */
const HTTP_DATE = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * Retry-After in ms: whole seconds (at least 1) or an HTTP date in the future; undefined otherwise, so the
 * caller falls back to its own wait (never a wait of 0 for "-5", "0" or a date in the past).
 */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	if (value === undefined || value === null) return undefined;
	const text = String(Array.isArray(value) ? value[0] : value).trim();
	if (text === '' || text.length > 64) return undefined; // seconds or an HTTP date are short
	// Digits only: Number() and Date.parse() would read "-5", "1.5" or "0x10" as something.
	if (/^\d{1,9}$/.test(text)) return Number(text) >= 1 ? Number(text) * 1000 : undefined;
	const m = HTTP_DATE.exec(text);
	const month = m ? MONTHS.indexOf(m[2].toLowerCase()) : -1;
	if (!m || month < 0) return undefined;
	const [day, year, hour, minute, second] = [1, 3, 4, 5, 6].map((i) => Number(m[i]));
	if (hour > 23 || minute > 59 || second > 60) return undefined;
	const at = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
	if (new Date(at).getUTCDate() !== day) return undefined; // e.g. 31 Feb
	return at > now ? at - now : undefined;
}

/** Exponential backoff with "equal jitter": between half and all of the doubled delay. */
export function backoffDelay(retry: number, policy: RetryPolicy, random = Math.random): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
	return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface RetryHooks {
	/**
	 * Whether repeating the request is harmless (GET, PUT upsert, DELETE, an upsert sent by POST). When false,
	 * a failure that may have reached the server (a 5xx, a connection lost after sending) is retried only if
	 * beforeRetry says it did not happen; without beforeRetry it is not retried and the result is `unsettled`.
	 * A refused connection or a 429 proves the server did nothing: those are retried either way.
	 */
	idempotent: boolean;
	/**
	 * Called before retrying an attempt whose effect is unknown: a transport failure that may have reached
	 * the server, or a 5xx. Return an outcome to stop retrying and use it (e.g. the user a lost create did
	 * make, or an error saying it cannot be confirmed), or undefined to retry. Only for requests that are not
	 * safe to repeat (a create) and whose effect can be looked up.
	 */
	beforeRetry?: (last: AttemptOutcome) => Promise<AttemptOutcome | undefined>;
	/** Wait asked for by the API's own rate-limit headers on a 429 without Retry-After. */
	rateLimitWait?: (headers: Record<string, unknown>) => { ms: number; header: string; value: string } | undefined;
	/** Called after every answer (pacing from rate-limit headers). */
	onResponse?: (headers: Record<string, unknown>) => Promise<void> | void;
	/** Every wait of this request counts against it (cap per wait and in all, and a deadline). */
	budget?: WaitBudget;
	/** Where each decision (wait, retry, give up) is logged, and the name of the service for those lines. */
	log?: { to: NodeLog; service: string; request: string };
}

export interface RetryResult {
	outcome: AttemptOutcome;
	attempts: number;
	rateLimited: number;
	/**
	 * The request is not safe to repeat, and its last attempt failed in a way that may have applied it: it was
	 * not retried, and whether it happened is not known.
	 */
	unsettled?: boolean;
}

/**
 * Runs `attempt` until it gives an answer worth returning. Connection errors and 500/502/503/504 retry with
 * backoff (a request that is not idempotent only when the failure proves it did not happen, or beforeRetry
 * finds it did not); 429 waits as Retry-After (or the API's reset header) says; any other status is returned at
 * once. The last outcome is returned (never thrown) so the caller can turn it into a message for the user.
 * A wait the budget refuses throws WaitRefused (nothing slept), except a backoff longer than the cap: then the
 * last outcome is returned, which says more than the wait would.
 */
export async function withRetries(
	attempt: () => Promise<AttemptOutcome>,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
	hooks: RetryHooks = { idempotent: true },
): Promise<RetryResult> {
	let retries = 0;
	let rateLimited = 0;
	let attempts = 0;
	const log = hooks.log;
	const budget = hooks.budget ?? new WaitBudget();
	const what = (outcome: AttemptOutcome) =>
		outcome.kind === 'response'
			? `answered ${outcome.statusCode}`
			: `failed (${outcome.code}${outcome.maybeProcessed ? ', may have reached it' : ''})`;
	for (;;) {
		attempts++;
		const outcome = await attempt();
		if (outcome.kind === 'response') {
			await hooks.onResponse?.(outcome.headers);
			if (outcome.statusCode === 429) {
				if (rateLimited >= policy.maxRateLimitWaits) {
					log?.to.warn(`${log.service} answered 429 to ${log.request} ${attempts} times: giving up`);
					return { outcome, attempts, rateLimited };
				}
				// A 429 means the server did nothing: waiting and repeating is safe for every request.
				const wait = rateLimitWait(outcome.headers, rateLimited, policy, hooks);
				const refused = budget.take(wait.ms, wait.reason);
				if (refused) {
					log?.to.warn(`${log.service} answered 429 to ${log.request}; ${refused.message}`, { waitMs: wait.ms });
					throw refused;
				}
				rateLimited++;
				log?.to.info(
					`429 from ${log.service} (${log.request}): waiting ${duration(wait.ms)} as ${wait.reason.header ?? 'backoff'} says (wait ${rateLimited} of at most ${policy.maxRateLimitWaits})`,
					{ waitMs: wait.ms },
				);
				await sleep(wait.ms);
				continue;
			}
			if (!RETRYABLE_STATUS.has(outcome.statusCode) || retries >= policy.maxRetries) {
				if (retries > 0 || rateLimited > 0) {
					const after = `after ${attempts} attempts`;
					if (RETRYABLE_STATUS.has(outcome.statusCode))
						log?.to.warn(`${log.service} ${what(outcome)} to ${log.request} ${after}: giving up`);
					else log?.to.debug(`${log.service} ${what(outcome)} to ${log.request} ${after}`);
				}
				return { outcome, attempts, rateLimited };
			}
		} else if (retries >= policy.maxRetries) {
			log?.to.warn(`${log.service} ${what(outcome)} for ${log.request} ${attempts} times: giving up`);
			return { outcome, attempts, rateLimited };
		}
		const unknownEffect = outcome.kind === 'response' || outcome.maybeProcessed;
		if (unknownEffect && hooks.beforeRetry) {
			const settled = await hooks.beforeRetry(outcome);
			if (settled) return { outcome: settled, attempts, rateLimited };
		} else if (unknownEffect && !hooks.idempotent) {
			log?.to.warn(
				`${log.service} ${what(outcome)} to ${log.request}: not retried, it is not safe to repeat and may have been applied`,
			);
			return { outcome, attempts, rateLimited, unsettled: true };
		}
		const delay = backoffDelay(retries, policy);
		const refused = budget.refusal(delay);
		if (refused === 'deadline')
			throw new WaitRefused(
				'deadline',
				delay,
				{ what: `it ${what(outcome)}` },
				budget.maxWaitMs,
				budget.spentMs,
				budget.waits,
			);
		if (refused) {
			log?.to.warn(
				`${log.service} ${what(outcome)} to ${log.request}: no retry, the backoff would pass the ${duration(budget.maxWaitMs)} the node waits for one request`,
			);
			return { outcome, attempts, rateLimited };
		}
		budget.take(delay, { what: 'backoff' }); // fits: checked above
		log?.to.warn(
			`${log.service} ${what(outcome)} to ${log.request}: retry ${retries + 1} of ${policy.maxRetries} in ${duration(delay)}`,
			{ delayMs: delay },
		);
		await sleep(delay);
		retries++;
	}
}

/** How long a 429 asks us to wait, and who asks: Retry-After, else the API's rate-limit headers, else backoff. */
function rateLimitWait(
	headers: Record<string, unknown>,
	rateLimited: number,
	policy: RetryPolicy,
	hooks: RetryHooks,
): { ms: number; reason: WaitReason } {
	const what = 'a 429 (too many requests)';
	const retryAfter = parseRetryAfter(headers['retry-after']);
	if (retryAfter !== undefined)
		return { ms: retryAfter, reason: { what, header: 'Retry-After', value: headerText(headers['retry-after']) } };
	const fromHeaders = hooks.rateLimitWait?.(headers);
	if (fromHeaders)
		return { ms: fromHeaders.ms, reason: { what, header: fromHeaders.header, value: fromHeaders.value } };
	return { ms: backoffDelay(rateLimited, policy), reason: { what } };
}

function headerText(value: unknown): string {
	return String(Array.isArray(value) ? value[0] : value).slice(0, 40);
}
