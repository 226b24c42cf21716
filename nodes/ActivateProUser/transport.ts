import type { IDataObject, IHttpRequestMethods, INode } from 'n8n-workflow';

import { apiError, redact } from '../shared/errors';
import { sendOnce, trimSlash, type RequestContext } from '../shared/http';
import { nodeLog, requestLabel } from '../shared/log';
import { DEFAULT_RETRY_POLICY, withRetries, type AttemptOutcome, type RetryPolicy } from '../shared/retry';

export const CREDENTIAL_TYPE = 'activateProApi';

export interface ActivateProAnswer {
	statusCode: number;
	body: unknown;
	attempts: number;
}

/** One error entry as the API documents it. */
export interface ActivateProApiError {
	code?: string;
	title?: string;
	details?: string;
	source?: { pointer?: string };
}

/** What each documented error code means for the person running the workflow, and what to do. */
const CODE_MEANINGS: Record<string, string> = {
	'1': 'the request body was not valid JSON',
	'2': 'a required field is missing or a field value is invalid: every user needs an id and an email',
	'3': 'an attribute value has the wrong type for how the attribute is defined in ActivatePro',
	'4': 'the email address is not valid (it must look like name@example.com)',
	'5': 'the phone number is not valid',
	'6': 'the attribute is not defined for your company in ActivatePro: define it there first, or leave it out',
	'7': 'the id in the request does not match the id of the user',
	'8': 'the business unit is not in a valid format',
	'9': 'a batch may hold at most 1000 users',
	'10': 'ActivatePro failed to process the request: contact ActivatePro support if it persists',
};

// The credential read once per node run: n8n loads it from its database and decrypts it on every
// getCredentials, and a bulk run sends 200 requests. (An API key does not change during a run; the Email
// API's OAuth2 tokens do, so its transport reads its credential afresh.)
const credentialsByRun = new WeakMap<object, Promise<{ baseUrl: string; apiKey: string }>>();

export function activateProBaseUrl(ctx: RequestContext): Promise<{ baseUrl: string; apiKey: string }> {
	let settings = credentialsByRun.get(ctx);
	if (!settings) {
		settings = ctx
			.getCredentials(CREDENTIAL_TYPE)
			.then((credentials) => ({ baseUrl: trimSlash(credentials.baseUrl as string), apiKey: String(credentials.apiKey ?? '') }));
		credentialsByRun.set(ctx, settings);
	}
	return settings;
}

/**
 * Sends one request to the User Management API v2 with the shared retry policy (connection errors and
 * 5xx back off, 429 waits as told, other 4xx return at once). Returns the final answer; throws a NodeApiError
 * only when no answer could be had at all.
 */
export async function activateProRequest(
	ctx: RequestContext,
	method: IHttpRequestMethods,
	path: string,
	body?: unknown,
	itemIndex?: number,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<ActivateProAnswer> {
	const { baseUrl, apiKey } = await activateProBaseUrl(ctx);
	const log = { to: nodeLog(ctx), service: 'ActivatePro', request: requestLabel(method, path, itemIndex) };
	const { outcome, attempts } = await withRetries(() => sendOnce(ctx, CREDENTIAL_TYPE, { method, baseUrl, path, body }), policy, { log });
	if (outcome.kind === 'transportError') {
		throw apiError(ctx.getNode(), {
			message: `Could not reach ActivatePro at ${baseUrl} (${outcome.code}) after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
			description: redact(
				`${outcome.error.message}. Check the Base URL in the ActivatePro API credential and that the service is up.` +
					(outcome.maybeProcessed ? ' The last request may have reached ActivatePro; repeating an upsert or delete is safe.' : ''),
				[apiKey],
			),
			itemIndex,
		});
	}
	return { statusCode: outcome.statusCode, body: outcome.body, attempts };
}

export function apiErrorsOf(body: unknown): ActivateProApiError[] {
	const errors = (body as IDataObject | undefined)?.errors;
	return Array.isArray(errors) ? (errors as ActivateProApiError[]) : [];
}

/** "[4 Invalid Email Format] Invalid email "x" (field /email) — the email address is not valid …" */
export function describeApiError(error: ActivateProApiError): string {
	const head = [error.code, error.title].filter(Boolean).join(' ');
	const pointer = error.source?.pointer ? ` (field ${error.source.pointer})` : '';
	const meaning = error.code && CODE_MEANINGS[error.code] ? ` — ${CODE_MEANINGS[error.code]}` : '';
	return `${head ? `[${head}] ` : ''}${error.details ?? 'no details'}${pointer}${meaning}`;
}

/** Turns a non-success answer into an error that says what happened and what to do. */
export function answerError(node: INode, answer: ActivateProAnswer, context: { itemIndex?: number; action: string; notFound?: string }) {
	const { statusCode, body } = answer;
	const errors = apiErrorsOf(body);
	let message: string;
	let description: string | undefined;
	if (statusCode === 401 || statusCode === 403) {
		message = `ActivatePro rejected the API key (HTTP ${statusCode})`;
		description = 'Check the API key in the ActivatePro API credential: it must be the Master API key from Settings → System setup → API keys.';
	} else if (statusCode === 404 && context.notFound) {
		message = context.notFound;
	} else if (errors.length > 0) {
		message = `ActivatePro refused to ${context.action}: ${describeApiError(errors[0])}`;
		description = errors.length > 1 ? errors.map(describeApiError).join('\n') : undefined;
	} else if (statusCode === 429) {
		message = `ActivatePro kept answering 429 (too many requests) while trying to ${context.action}`;
		description = 'The rate limit did not clear within the retries; run the workflow again later or send fewer requests at once (use the Batch operation).';
	} else if (statusCode >= 500) {
		message = `ActivatePro failed with HTTP ${statusCode} while trying to ${context.action}, after ${answer.attempts} attempts`;
		description = 'The service is having trouble; nothing is known to have changed for this request. Run it again later.';
	} else {
		const text = typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body ?? '').slice(0, 300);
		message = `ActivatePro answered HTTP ${statusCode} while trying to ${context.action}`;
		description = text ? `Response: ${text}` : undefined;
	}
	const first = errors[0];
	return apiError(node, {
		message,
		description,
		httpCode: statusCode,
		itemIndex: context.itemIndex,
		data: first ? { code: first.code ?? '', title: first.title ?? '', details: first.details ?? '', pointer: first.source?.pointer ?? '' } : undefined,
	});
}

export type { AttemptOutcome };
