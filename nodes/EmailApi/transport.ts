// Email API's settings from its credential, and its one request function (pacing, retries, waits). Uses pacing,
// the credentials' Email API defaults, shared/.
import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions, INode } from 'n8n-workflow';

import { EMAIL_API_DEFAULTS } from '../../credentials/shared';
import { apiError, redactDeep, urlSecrets } from '../shared/errors';
import { DEFAULT_REQUEST_TIMEOUT_MS, isIdempotent, sendOnce, trimSlash, type Idempotency } from '../shared/http';
import { nodeLog, requestLabel } from '../shared/log';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryHooks, type RetryResult } from '../shared/retry';
import { humanDuration, maxWaitMs, WaitBudget, WaitRefused, waitRefusedText } from '../shared/waits';
import { pacerFor, type RequestPacer } from './pacing';

type Context = IExecuteFunctions | ILoadOptionsFunctions;

export const CREDENTIAL_TYPES = { apiKey: 'emailApiKeyApi', oAuth2: 'rankrOAuth2Api' } as const;

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
		baseUrl: trimSlash((credentials.baseUrl as string) || EMAIL_API_DEFAULTS.baseUrl),
		apiVersion: String(credentials.apiVersion || EMAIL_API_DEFAULTS.apiVersion),
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

export interface EmailApiAnswer {
	statusCode: number;
	/** The answer's body with the credential's secrets masked (a proxy may echo the request, token and all). */
	body: unknown;
	attempts: number;
	rateLimited: number;
	/** The credential's secrets, for errors made of this answer (answers.ts: emailApiError masks them). */
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
