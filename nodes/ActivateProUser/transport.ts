// ActivatePro's one request function (credential, retries, waits) and its errors in words. Uses shared/ only.
import type { IDataObject, INode } from 'n8n-workflow';

import { apiError, redactDeep, urlSecrets } from '../shared/errors';
import {
	DEFAULT_REQUEST_TIMEOUT_MS,
	isIdempotent,
	sendOnce,
	trimSlash,
	type IdempotentMethod,
	type RequestContext,
} from '../shared/http';
import { nodeLog, requestLabel } from '../shared/log';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy, type RetryResult } from '../shared/retry';
import { maxWaitMs, WaitBudget, WaitRefused, waitRefusedText } from '../shared/waits';

export const CREDENTIAL_TYPE = 'activateProApi';

export interface ActivateProAnswer {
	statusCode: number;
	/** The answer's body with the credential's secrets masked (a proxy may echo the request, key and all). */
	body: unknown;
	attempts: number;
	/** The credential's secrets, for errors made of this answer (activateProError masks them). */
	secrets: readonly string[];
}

export interface ActivateProRequestOptions {
	/** Whether repeating the request is harmless: GET, PUT and DELETE are unless they say otherwise; a POST must say. */
	idempotent?: boolean;
	/** Epoch ms no wait of this request may pass (a wait for completion's Timeout). */
	deadline?: number;
	policy?: RetryPolicy;
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
const credentialsByRun = new WeakMap<object, Promise<ActivateProSettings>>();

export interface ActivateProSettings {
	baseUrl: string;
	apiKey: string;
	/** The key and the Base URL's user info: masked in every error, log line and output. */
	secrets: string[];
}

/** The credential's Base URL, API key and the secrets to mask, read once per run. */
export function activateProSettings(ctx: RequestContext): Promise<ActivateProSettings> {
	let settings = credentialsByRun.get(ctx);
	if (!settings) {
		settings = ctx.getCredentials(CREDENTIAL_TYPE).then((credentials) => {
			const baseUrl = trimSlash(credentials.baseUrl as string);
			const apiKey = String(credentials.apiKey ?? '');
			return { baseUrl, apiKey, secrets: [apiKey, ...urlSecrets(baseUrl)] };
		});
		credentialsByRun.set(ctx, settings);
	}
	return settings;
}

/** The credential's secrets, for errors made outside a request (the router's); none when it cannot be read. */
export async function activateProSecrets(ctx: RequestContext): Promise<string[]> {
	return activateProSettings(ctx).then(
		(settings) => settings.secrets,
		() => [],
	);
}

/**
 * Sends one request to the User Management API v2 with the shared retry policy (connection errors and
 * 5xx back off, 429 waits as told, other 4xx return at once), every wait within the node's Max Wait per Request
 * (and the deadline, when given). Returns the final answer, secrets masked; throws a NodeApiError when no answer
 * could be had, or when the server asks for a wait longer than the node waits. Every ActivatePro request is
 * idempotent (reads, the PUT upsert, DELETE, the batch of upserts and deletes), but a POST must say so.
 */
export function activateProRequest(
	ctx: RequestContext,
	method: IdempotentMethod,
	path: string,
	body?: unknown,
	itemIndex?: number,
	options?: ActivateProRequestOptions,
): Promise<ActivateProAnswer>;
export function activateProRequest(
	ctx: RequestContext,
	method: 'POST',
	path: string,
	body: unknown,
	itemIndex: number | undefined,
	options: ActivateProRequestOptions & { idempotent: boolean },
): Promise<ActivateProAnswer>;
export async function activateProRequest(
	ctx: RequestContext,
	method: IdempotentMethod | 'POST',
	path: string,
	body?: unknown,
	itemIndex?: number,
	options: ActivateProRequestOptions = {},
): Promise<ActivateProAnswer> {
	const { baseUrl, secrets } = await activateProSettings(ctx);
	const log = { to: nodeLog(ctx), service: 'ActivatePro', request: requestLabel(method, path, itemIndex) };
	const budget = new WaitBudget(maxWaitMs(ctx, itemIndex), options.deadline);
	const result: RetryResult = await withRetries(
		() =>
			sendOnce(ctx, CREDENTIAL_TYPE, {
				method,
				baseUrl,
				path,
				body,
				secrets,
				timeoutMs: budget.attemptTimeoutMs(DEFAULT_REQUEST_TIMEOUT_MS),
			}),
		options.policy ?? DEFAULT_RETRY_POLICY,
		{ idempotent: isIdempotent({ method, idempotent: options.idempotent }), budget, log },
	).catch((error: unknown) => {
		// A wait past the deadline goes back to the poll that set it (it reports the Timeout); a wait longer
		// than the node waits fails the item here, saying who asked for how long.
		if (error instanceof WaitRefused && error.kind !== 'deadline') {
			throw apiError(ctx.getNode(), { ...waitRefusedText('ActivatePro', error, log.request), itemIndex, secrets });
		}
		throw error;
	});
	const { outcome, attempts } = result;
	if (outcome.kind === 'transportError') {
		const unsettled = result.unsettled
			? ' It was not sent again: it is not safe to repeat, and it may or may not have been applied.'
			: '';
		throw apiError(ctx.getNode(), {
			message: `Could not reach ActivatePro at ${baseUrl} (${outcome.code}) after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
			description:
				`${String(outcome.error.message).slice(0, 300)}. Check the Base URL in the ActivatePro API credential and that the service is up.` +
				(outcome.maybeProcessed
					? ' The last request may have reached ActivatePro; repeating an upsert or delete is safe.'
					: '') +
				unsettled,
			itemIndex,
			secrets,
		});
	}
	if (result.unsettled) {
		throw apiError(ctx.getNode(), {
			message: `ActivatePro answered HTTP ${outcome.statusCode} to ${log.request}: it may or may not have been applied`,
			description:
				'Not sent again: this request is not safe to repeat. Check its effect in ActivatePro before running the item again.',
			httpCode: outcome.statusCode,
			itemIndex,
			secrets,
		});
	}
	return { statusCode: outcome.statusCode, body: redactDeep(outcome.body, secrets), attempts, secrets };
}

export function apiErrorsOf(body: unknown): ActivateProApiError[] {
	const errors = (body as IDataObject | undefined)?.errors;
	return Array.isArray(errors) ? (errors as ActivateProApiError[]) : [];
}

/** The server's text, cut: no answer can make a message of any size. */
function clip(value: unknown): string {
	const text = String(value);
	return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** "[4 Invalid Email Format] Invalid email "x" (field /email) — the email address is not valid …" */
export function describeApiError(error: ActivateProApiError): string {
	const head = [error.code, error.title].filter(Boolean).join(' ');
	const pointer = error.source?.pointer ? ` (field ${error.source.pointer})` : '';
	const meaning = error.code && CODE_MEANINGS[error.code] ? ` — ${CODE_MEANINGS[error.code]}` : '';
	return `${head ? `[${clip(head)}] ` : ''}${clip(error.details ?? 'no details')}${clip(pointer)}${meaning}`;
}

/** Turns a non-success answer into an error that says what happened and what to do. */
export function activateProError(
	node: INode,
	answer: ActivateProAnswer,
	context: { itemIndex?: number; action: string; notFound?: string },
) {
	const { statusCode, body } = answer;
	const errors = apiErrorsOf(body);
	let message: string;
	let description: string | undefined;
	if (statusCode === 401 || statusCode === 403) {
		message = `ActivatePro rejected the API key (HTTP ${statusCode})`;
		description =
			'Check the API key in the ActivatePro API credential: it must be the Master API key from Settings → System setup → API keys.';
	} else if (statusCode === 404 && context.notFound) {
		message = context.notFound;
	} else if (errors.length > 0) {
		message = `ActivatePro refused to ${context.action}: ${describeApiError(errors[0])}`;
		description = errors.length > 1 ? errors.map(describeApiError).join('\n') : undefined;
	} else if (statusCode === 429) {
		message = `ActivatePro kept answering 429 (too many requests) while trying to ${context.action}`;
		description =
			'The rate limit did not clear within the retries; run the workflow again later or send fewer requests at once (use the Batch operation).';
	} else if (statusCode >= 500) {
		message = `ActivatePro failed with HTTP ${statusCode} while trying to ${context.action}, after ${answer.attempts} attempts`;
		description =
			'The service is having trouble; nothing is known to have changed for this request. Run it again later.';
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
		data: first
			? {
					code: first.code ?? '',
					title: first.title ?? '',
					details: first.details ?? '',
					pointer: first.source?.pointer ?? '',
				}
			: undefined,
		secrets: answer.secrets,
	});
}
