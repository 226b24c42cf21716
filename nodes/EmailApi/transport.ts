import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, ILoadOptionsFunctions, INode } from 'n8n-workflow';

import { apiError, redact } from '../shared/errors';
import { sendOnce, trimSlash } from '../shared/http';
import { duration, nodeLog, requestLabel } from '../shared/log';
import { RequestPacer } from '../shared/rateLimit';
import { DEFAULT_RETRY_POLICY, withRetries, type AttemptOutcome, type RetryHooks } from '../shared/retry';

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
		secrets: [credentials.token, credentials.clientSecret, tokenData.access_token, tokenData.refresh_token].filter(
			(s): s is string => typeof s === 'string',
		),
	};
}

// One pacer per node run, so a run of many items paces itself from the answers it gets.
const pacers = new WeakMap<object, RequestPacer>();
function pacerFor(ctx: Context): RequestPacer {
	let pacer = pacers.get(ctx);
	if (!pacer) {
		pacer = new RequestPacer(RATE_LIMIT_HEADERS);
		const log = nodeLog(ctx);
		pacer.onPause = (ms, why) => log.debug(`pacing: waiting ${duration(ms)} before the next Email API request (${why})`, { waitMs: ms });
		pacers.set(ctx, pacer);
	}
	return pacer;
}

/** Logs, once a run is over, how long pacing held it back (a slow run's first question). */
export function logPacing(ctx: Context): void {
	const pacer = pacers.get(ctx);
	if (pacer && pacer.waitedMs >= 1000) {
		nodeLog(ctx).info(`paced to the Email API's rate limit: ${pacer.pauses} waits, ${duration(pacer.waitedMs)} in all`, { waitedMs: pacer.waitedMs });
	}
}

export interface EmailApiAnswer {
	statusCode: number;
	body: unknown;
	attempts: number;
	rateLimited: number;
}

export interface EmailApiRequest {
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	body?: unknown;
	itemIndex?: number;
	/** For requests that are not safe to repeat: decides what to do before a retry (see RetryHooks). */
	beforeRetry?: RetryHooks['beforeRetry'];
}

/** One request with pacing, retries (5xx, connection errors, 429) and the Version header. */
export async function emailApiRequest(ctx: Context, request: EmailApiRequest, settings?: EmailApiSettings): Promise<EmailApiAnswer> {
	const s = settings ?? (await emailApiSettings(ctx));
	const pacer = pacerFor(ctx);
	if (pacer.dailyRemaining === 0) {
		throw apiError(ctx.getNode(), {
			message: `The Email API's daily limit${pacer.dailyLimit ? ` of ${pacer.dailyLimit} requests` : ''} for this location is used up`,
			description: 'It resets daily. Run the rest of the items tomorrow, or spread large runs over several days.',
			httpCode: 429,
			itemIndex: request.itemIndex,
		});
	}
	const { outcome, attempts, rateLimited } = await withRetries(
		async () => {
			const slot = await pacer.acquire();
			try {
				const attempt = await sendOnce(ctx, s.credentialType, {
					method: request.method,
					baseUrl: s.baseUrl,
					path: request.path,
					qs: request.qs,
					body: request.body,
					headers: { Version: s.apiVersion },
					refreshOAuth2: s.credentialType === CREDENTIAL_TYPES.oAuth2,
				});
				if (attempt.kind === 'response') pacer.observe(attempt.headers);
				return attempt;
			} finally {
				pacer.release(slot);
			}
		},
		DEFAULT_RETRY_POLICY,
		{
			rateLimitWaitMs: (headers) => pacer.retryWaitMs(headers),
			beforeRetry: request.beforeRetry,
			log: { to: nodeLog(ctx), service: 'the Email API', request: requestLabel(request.method, request.path, request.itemIndex) },
		},
	);
	if (outcome.kind === 'transportError') {
		throw apiError(ctx.getNode(), {
			message: `Could not reach the Email API at ${s.baseUrl} (${outcome.code}) after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
			description: redact(`${outcome.error.message}. Check the Base URL in the credential and that the service is up.`, s.secrets),
			itemIndex: request.itemIndex,
		});
	}
	return { statusCode: outcome.statusCode, body: outcome.body, attempts, rateLimited };
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
			description = `Add "${context.scope}" to the Private Integration token's scopes, or to the Rankr OAuth2 credential's Scope and reconnect it. (API: ${apiMessage})`;
		} else {
			message = `The Email API rejected the credentials (HTTP ${statusCode}) while trying to ${context.action}`;
			description = `${apiMessage ? `API: ${apiMessage}. ` : ''}Check the token in the Email API credential, or reconnect the Rankr OAuth2 credential.`;
		}
	} else if ((statusCode === 404 || (statusCode === 400 && /not found|invalid/i.test(apiMessage) && context.notFound)) && context.notFound) {
		message = context.notFound;
		description = apiMessage ? `API: ${apiMessage}` : undefined;
	} else if (statusCode === 429) {
		message = `The Email API's rate limit did not clear while trying to ${context.action}`;
		description = 'The burst limit is 100 requests per 10 s and 200,000 a day per location. Run again later, or with fewer items at once.';
	} else if (statusCode >= 500) {
		message = `The Email API failed with HTTP ${statusCode} while trying to ${context.action}, after ${answer.attempts} attempts`;
		description = `${apiMessage ? `API: ${apiMessage}. ` : ''}The service is having trouble; run the workflow again later.`;
	} else {
		message = `The Email API refused to ${context.action} (HTTP ${statusCode}): ${apiMessage || 'no reason given'}`;
		description = statusCode === 422 ? 'Fix the fields named above and run again.' : undefined;
	}
	return apiError(node, { message, description, httpCode: statusCode, itemIndex: context.itemIndex, data: apiMessage ? { apiMessage } : undefined });
}

/** The API's message: a string, or NestJS's array of validation messages. */
export function messageOf(body: unknown): string {
	if (typeof body === 'string') return body.slice(0, 300);
	const message = (body as IDataObject | undefined)?.message;
	if (Array.isArray(message)) return message.join('; ');
	return typeof message === 'string' ? message : '';
}

export function isSuccess(answer: EmailApiAnswer): boolean {
	return answer.statusCode >= 200 && answer.statusCode < 300;
}

export type { AttemptOutcome };
