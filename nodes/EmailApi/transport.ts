// Email API's one request function (credential, pacing, retries, waits) and its errors in words. Uses shared/ only.
import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions, INode } from 'n8n-workflow';

import { apiError, redactDeep, urlSecrets } from '../shared/errors';
import { DEFAULT_REQUEST_TIMEOUT_MS, isIdempotent, sendOnce, trimSlash, type Idempotency } from '../shared/http';
import { duration, nodeLog, requestLabel } from '../shared/log';
import { RequestPacer } from '../shared/rateLimit';
import {
	DEFAULT_RETRY_POLICY,
	withRetries,
	type AttemptOutcome,
	type RetryHooks,
	type RetryResult,
} from '../shared/retry';
import { humanDuration, maxWaitMs, WaitBudget, WaitRefused, waitRefusedText } from '../shared/waits';

type Context = IExecuteFunctions | ILoadOptionsFunctions;

export const CREDENTIAL_TYPES = { apiKey: 'emailApiKeyApi', oAuth2: 'rankrOAuth2Api' } as const;
export const DEFAULT_BASE_URL = 'https://services.leadconnectorhq.com';
export const DEFAULT_API_VERSION = '2021-07-28';

/** HighLevel's rate-limit headers (Authorization.md: 100 requests per 10 s and 200,000 a day per location). */
const RATE_LIMIT_HEADERS = {
	max: 'X-RateLimit-Max',
	remaining: 'X-RateLimit-Remaining',
	intervalMs: 'X-RateLimit-Interval-Milliseconds',
	dailyRemaining: 'X-RateLimit-Daily-Remaining',
	dailyLimit: 'X-RateLimit-Limit-Daily',
};

export interface EmailApiSettings {
	credentialType: string;
	baseUrl: string;
	apiVersion: string;
	/** From the node, else the credential, else (OAuth2) the token's location. */
	locationId: string;
	companyId: string;
	secrets: string[];
}

export async function emailApiSettings(ctx: Context): Promise<EmailApiSettings> {
	const authentication = ctx.getNodeParameter('authentication', 0, 'apiKey') as keyof typeof CREDENTIAL_TYPES;
	const credentialType = CREDENTIAL_TYPES[authentication] ?? CREDENTIAL_TYPES.apiKey;
	const credentials = await ctx.getCredentials(credentialType);
	const tokenData = (credentials.oauthTokenData ?? {}) as IDataObject;
	return {
		credentialType,
		baseUrl: trimSlash((credentials.baseUrl as string) || DEFAULT_BASE_URL),
		apiVersion: String(credentials.apiVersion || DEFAULT_API_VERSION),
		locationId: String(credentials.locationId || tokenData.locationId || ''),
		companyId: String(credentials.companyId || tokenData.companyId || ''),
		secrets: [
			...[credentials.token, credentials.clientSecret, tokenData.access_token, tokenData.refresh_token].filter(
				(s): s is string => typeof s === 'string',
			),
			...urlSecrets(String(credentials.baseUrl ?? '')),
		],
	};
}

/** The credential's secrets, for errors made outside a request (the router's); none when it cannot be read. */
export async function emailApiSecrets(ctx: Context): Promise<string[]> {
	return emailApiSettings(ctx).then(
		(settings) => settings.secrets,
		() => [],
	);
}

// One pacer per node run, so a run of many items paces itself from the answers it gets.
const pacers = new WeakMap<object, RequestPacer>();
function pacerFor(ctx: Context): RequestPacer {
	let pacer = pacers.get(ctx);
	if (!pacer) {
		pacer = new RequestPacer(RATE_LIMIT_HEADERS);
		const log = nodeLog(ctx);
		pacer.onPause = (ms, why) =>
			log.debug(`pacing: waiting ${duration(ms)} before the next Email API request (${why})`, { waitMs: ms });
		pacers.set(ctx, pacer);
	}
	return pacer;
}

/** Logs, once a run is over, how long pacing held it back (a slow run's first question). */
export function logPacing(ctx: Context): void {
	const pacer = pacers.get(ctx);
	if (pacer && pacer.waitedMs >= 1000) {
		nodeLog(ctx).info(
			`paced to the Email API's rate limit: ${pacer.pauses} waits, ${duration(pacer.waitedMs)} in all`,
			{ waitedMs: pacer.waitedMs },
		);
	}
}

export interface EmailApiAnswer {
	statusCode: number;
	/** The answer's body with the credential's secrets masked (a proxy may echo the request, token and all). */
	body: unknown;
	attempts: number;
	rateLimited: number;
	/** The credential's secrets, for errors made of this answer (emailApiError masks them). */
	secrets: readonly string[];
}

/**
 * One request. Whether it may be repeated after a failure that may have applied it is part of it (see
 * Idempotency): GET, PUT and DELETE are idempotent; a POST says. One that is not is retried only when the
 * failure proves it did not happen (connection refused, 429), or when beforeRetry looks it up and finds it
 * did not; otherwise the item fails saying it may or may not have happened, and how to check (ifUnsure).
 */
export type EmailApiRequest = Idempotency & {
	path: string;
	qs?: IDataObject;
	body?: unknown;
	itemIndex?: number;
	/**
	 * For requests that are not safe to repeat and can be looked up: decides what to do before a retry
	 * (see RetryHooks).
	 */
	beforeRetry?: RetryHooks['beforeRetry'];
	/**
	 * For requests that are not safe to repeat: what it does and how to check it, for the error after an
	 * ambiguous failure.
	 */
	ifUnsure?: { action: string; check: string };
};

/**
 * One request with pacing, retries (5xx, connection errors, 429) and the Version header; every wait within
 * the node's Max Wait per Request. Returns the answer, secrets masked; throws a NodeApiError when no answer
 * could be had, when a request that is not safe to repeat may or may not have happened, or when the API asks
 * for a wait longer than the node waits (its daily limit included).
 */
export async function emailApiRequest(
	ctx: Context,
	request: EmailApiRequest,
	settings?: EmailApiSettings,
): Promise<EmailApiAnswer> {
	const s = settings ?? (await emailApiSettings(ctx));
	const pacer = pacerFor(ctx);
	const node = ctx.getNode();
	const { itemIndex } = request;
	if (pacer.dailyRemaining === 0) {
		if (pacer.dailyResetAt !== undefined && Date.now() >= pacer.dailyResetAt)
			pacer.dailyRemaining = undefined; // a new day
		else throw dailyLimitError(node, pacer, itemIndex, s.secrets);
	}
	const label = requestLabel(request.method, request.path, itemIndex);
	const budget = new WaitBudget(maxWaitMs(ctx, itemIndex));
	const result: RetryResult = await withRetries(
		async () => {
			const slot = await pacer.acquire(budget);
			try {
				const attempt = await sendOnce(ctx, s.credentialType, {
					method: request.method,
					baseUrl: s.baseUrl,
					path: request.path,
					qs: request.qs,
					body: request.body,
					headers: { Version: s.apiVersion },
					refreshOAuth2: s.credentialType === CREDENTIAL_TYPES.oAuth2,
					secrets: s.secrets,
					timeoutMs: budget.attemptTimeoutMs(DEFAULT_REQUEST_TIMEOUT_MS),
				});
				if (attempt.kind === 'response') pacer.observe(attempt.headers);
				return attempt;
			} finally {
				pacer.release(slot);
			}
		},
		DEFAULT_RETRY_POLICY,
		{
			idempotent: isIdempotent(request),
			budget,
			rateLimitWait: (headers) => pacer.retryWait(headers),
			beforeRetry: request.beforeRetry,
			log: { to: nodeLog(ctx), service: 'the Email API', request: label },
		},
	).catch((error: unknown) => {
		if (!(error instanceof WaitRefused)) throw error;
		// The daily limit: HighLevel's Retry-After says when it resets; every later item fails at once until then.
		if (pacer.dailyRemaining === 0) {
			if (error.reason.header === 'Retry-After') pacer.dailyResetAt = Date.now() + error.askedMs;
			throw dailyLimitError(node, pacer, itemIndex, s.secrets);
		}
		throw apiError(node, { ...waitRefusedText('The Email API', error, label), itemIndex, secrets: s.secrets });
	});
	const { outcome, attempts, rateLimited } = result;
	const failed = outcome.kind === 'transportError' || outcome.statusCode >= 400;
	// An OAuth2 access token refreshed during this request is not in the settings read before it.
	const secrets =
		failed && s.credentialType === CREDENTIAL_TYPES.oAuth2
			? [...s.secrets, ...(await emailApiSecrets(ctx))]
			: s.secrets;
	if (result.unsettled) {
		const cause = outcome.kind === 'response' ? `HTTP ${outcome.statusCode}` : outcome.code;
		const unsure = request.ifUnsure ?? {
			action: label,
			check: 'Check in HighLevel whether it happened before running this item again.',
		};
		throw apiError(node, {
			message: `${unsure.action} may or may not have happened (${cause}): not sent again`,
			description: `The Email API ${outcome.kind === 'response' ? `answered ${outcome.statusCode}` : `connection failed (${outcome.code})`} after the request was sent, and it is not safe to repeat. ${unsure.check}`,
			httpCode: outcome.kind === 'response' ? outcome.statusCode : undefined,
			itemIndex,
			secrets,
		});
	}
	if (outcome.kind === 'transportError') {
		throw apiError(node, {
			message: `Could not reach the Email API at ${s.baseUrl} (${outcome.code}) after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
			description: `${String(outcome.error.message).slice(0, 300)}. Check the Base URL in the credential and that the service is up.`,
			itemIndex,
			secrets,
		});
	}
	return { statusCode: outcome.statusCode, body: redactDeep(outcome.body, secrets), attempts, rateLimited, secrets };
}

/** The location's daily limit is used up: when it resets, if HighLevel said (Retry-After on its 429). */
function dailyLimitError(node: INode, pacer: RequestPacer, itemIndex: number | undefined, secrets: readonly string[]) {
	const resetAt = pacer.dailyResetAt;
	const when =
		resetAt !== undefined
			? `It resets in ${humanDuration(Math.max(0, resetAt - Date.now()))} (at ${new Date(resetAt).toISOString()}, as the API's Retry-After says)`
			: 'It resets daily';
	return apiError(node, {
		message: `The Email API's daily limit${pacer.dailyLimit ? ` of ${pacer.dailyLimit} requests` : ''} for this location is used up (X-RateLimit-Daily-Remaining: 0)`,
		description: `${when}. Not waited, so that the workflow does not stall: run the rest of the items after that, or spread large runs over several days.`,
		httpCode: 429,
		itemIndex,
		secrets,
	});
}

export interface ErrorContext {
	action: string;
	/** The scope this endpoint needs, to name it when the token lacks it. */
	scope: string;
	itemIndex?: number;
	notFound?: string;
}

/** An answer that is not a success, as an error that says what happened and what to do. */
export function emailApiError(node: INode, answer: EmailApiAnswer, context: ErrorContext) {
	const { statusCode, body } = answer;
	const apiMessage = messageOf(body);
	let message: string;
	let description: string | undefined;
	if (statusCode === 401 || statusCode === 403) {
		if (/scope|not authorized|forbidden/i.test(apiMessage)) {
			message = `The Email API token is missing the "${context.scope}" scope needed to ${context.action}`;
			description = `Add "${context.scope}" to the Private Integration token's scopes, or to the HighLevel OAuth2 credential's Scope and reconnect it. (API: ${apiMessage})`;
		} else {
			message = `The Email API rejected the credentials (HTTP ${statusCode}) while trying to ${context.action}`;
			description = `${apiMessage ? `API: ${apiMessage}. ` : ''}Check the token in the Email API credential, or reconnect the HighLevel OAuth2 credential.`;
		}
	} else if (context.notFound && isNotFound(answer)) {
		message = context.notFound;
		description = apiMessage ? `API: ${apiMessage}` : undefined;
	} else if (statusCode === 429) {
		message = `The Email API's rate limit did not clear while trying to ${context.action}`;
		description =
			'The burst limit is 100 requests per 10 s and 200,000 a day per location. Run again later, or with fewer items at once.';
	} else if (statusCode >= 500) {
		message = `The Email API failed with HTTP ${statusCode} while trying to ${context.action}, after ${answer.attempts} attempts`;
		description = `${apiMessage ? `API: ${apiMessage}. ` : ''}The service is having trouble; run the workflow again later.`;
	} else {
		message = `The Email API refused to ${context.action} (HTTP ${statusCode}): ${apiMessage || 'no reason given'}`;
		description = statusCode === 422 ? 'Fix the fields named above and run again.' : undefined;
	}
	return apiError(node, {
		message,
		description,
		httpCode: statusCode,
		itemIndex: context.itemIndex,
		data: apiMessage ? { apiMessage } : undefined,
		secrets: answer.secrets,
	});
}

/** The API's message: a string, or NestJS's array of validation messages. */
export function messageOf(body: unknown): string {
	const message = typeof body === 'string' ? body : (body as IDataObject | undefined)?.message;
	// quoted server text is cut before it goes into a message (it is already redacted: see emailApiRequest)
	const text = Array.isArray(message)
		? message.slice(0, 20).map(String).join('; ')
		: typeof message === 'string'
			? message
			: '';
	return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The record addressed is not there: 404, or the 400 "not found" / "invalid id" HighLevel answers for some routes. */
export function isNotFound(answer: EmailApiAnswer): boolean {
	return answer.statusCode === 404 || (answer.statusCode === 400 && /not found|invalid/i.test(messageOf(answer.body)));
}

export function isSuccess(answer: EmailApiAnswer): boolean {
	return answer.statusCode >= 200 && answer.statusCode < 300;
}

export type { AttemptOutcome };
