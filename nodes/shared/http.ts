// Shared: one HTTP attempt through n8n's helpers, idempotency, path encoding. Uses attempt, errors, text.
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { redact } from './errors';
import { classifyTransportError, type AttemptOutcome } from './attempt';
import { quoted } from './text';

export type RequestContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface PlainRequest {
	method: IHttpRequestMethods;
	baseUrl: string;
	/** Already encoded path, see encodePathSegment. */
	path: string;
	qs?: IDataObject;
	body?: unknown;
	headers?: IDataObject;
	timeoutMs?: number;
	/** The credential is OAuth2: on a 401 let n8n refresh the access token and repeat (see sendOnce). */
	refreshOAuth2?: boolean;
	/** The credential's secrets, masked in the error of a request that could not be made. */
	secrets?: readonly string[];
}

/** Methods HTTP defines as idempotent: sending one twice leaves the server as sending it once. */
export type IdempotentMethod = 'GET' | 'HEAD' | 'PUT' | 'DELETE';

/**
 * Whether a request may be sent again after a failure that may have applied it (a 5xx, a connection lost
 * after sending). GET, PUT and DELETE are idempotent unless they say otherwise; a POST or PATCH must say:
 * true for an upsert (the same state however often it is sent), false for anything that creates, starts or
 * sends (see the table in docs/reliability.md).
 */
export type Idempotency =
	| { method: IdempotentMethod; idempotent?: boolean }
	| { method: 'POST' | 'PATCH'; idempotent: boolean };

export function isIdempotent(request: { method: string; idempotent?: boolean }): boolean {
	if (typeof request.idempotent === 'boolean') return request.idempotent;
	if (['GET', 'HEAD', 'PUT', 'DELETE'].includes(request.method)) return true;
	throw new Error(`internal error: a ${request.method} request must say whether it is idempotent`);
}

/** Longest we wait for one answer: a hung server becomes a clear error, never a stuck workflow. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/**
 * One attempt, authenticated by n8n with the named credential. Never throws for an HTTP status: the status,
 * headers and parsed body come back so the caller decides; transport failures come back classified.
 *
 * Statuses come back as values (ignoreHttpStatusErrors: true), because a thrown status loses its answer on
 * n8n 1.x (its NodeApiError keeps neither the response nor its headers). That also hides a 401 from n8n's
 * OAuth2 token refresh, on 1.x and 2.x alike; so with `refreshOAuth2` a 401 is sent once more with
 * statuses thrown, which is when n8n refreshes the access token and repeats the request itself. A 401 means
 * the server did nothing, so repeating is safe even for a create.
 */
export async function sendOnce(
	ctx: RequestContext,
	credentialType: string,
	request: PlainRequest,
): Promise<AttemptOutcome> {
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${trimSlash(request.baseUrl)}${request.path}`,
		qs: request.qs,
		headers: { Accept: 'application/json', ...(request.headers ?? {}) },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: request.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
	};
	if (request.body !== undefined) {
		// Handed over as an object, the HTTP client serialises it once (a string is parsed again to check it).
		// An empty object goes as text: n8n would drop it, and some endpoints require a body.
		const empty = typeof request.body === 'object' && request.body !== null && Object.keys(request.body).length === 0;
		options.body = empty ? '{}' : (request.body as IDataObject);
		options.headers!['Content-Type'] = 'application/json';
	}
	const first = await attempt(ctx, credentialType, options, request);
	if (!request.refreshOAuth2 || first.kind !== 'response' || first.statusCode !== 401) return first;
	return attempt(ctx, credentialType, { ...options, ignoreHttpStatusErrors: false }, request);
}

async function attempt(
	ctx: RequestContext,
	credentialType: string,
	options: IHttpRequestOptions,
	request: PlainRequest,
): Promise<AttemptOutcome> {
	try {
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, options)) as {
			statusCode: number;
			headers: Record<string, unknown>;
			body: unknown;
		};
		return {
			kind: 'response',
			statusCode: response.statusCode,
			headers: response.headers ?? {},
			body: parseBody(response.body),
		};
	} catch (error) {
		const answered = responseOf(error);
		if (answered) return answered;
		const transport = classifyTransportError(error);
		// Not a network failure (e.g. an unusable URL): report its message only, never the request it carried,
		// and never the URL's user and password.
		if (!transport)
			throw new NodeOperationError(
				ctx.getNode(),
				redact(
					`Request to ${request.baseUrl} failed: ${String((error as Error).message).slice(0, 300)}`,
					request.secrets,
				),
			);
		return { kind: 'transportError', error: error as Error, ...transport };
	}
}

/**
 * The HTTP answer carried by an error thrown for a status: n8n 2.x keeps the client's error (with the
 * response) as the cause; n8n 1.x keeps only the status (httpCode) and a JSON body (context.data).
 */
function responseOf(error: unknown): AttemptOutcome | undefined {
	let current: unknown = error;
	for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
		const response = (current as { response?: RawResponse }).response;
		if (response && typeof response.status === 'number') {
			return {
				kind: 'response',
				statusCode: response.status,
				headers: (response.headers ?? {}) as Record<string, unknown>,
				body: parseBody(response.data),
			};
		}
		current = (current as { cause?: unknown }).cause;
	}
	const { httpCode, context } = error as { httpCode?: unknown; context?: { data?: unknown } };
	const status = Number(httpCode);
	if (Number.isInteger(status) && status >= 100 && status <= 599)
		return { kind: 'response', statusCode: status, headers: {}, body: context?.data };
	return undefined;
}

interface RawResponse {
	status: number;
	headers?: unknown;
	data?: unknown;
}

/** Bodies arrive as objects, strings or buffers depending on content type; JSON is parsed when it is JSON. */
export function parseBody(body: unknown): unknown {
	if (body === undefined || body === null) return undefined;
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
	if (typeof text !== 'string') return text;
	if (text.trim() === '') return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

/**
 * Encodes one path segment so that no value can change which endpoint is called: "/" "?" "#" "%" and the
 * rest are percent-encoded. A segment of only dots ("." or "..") is refused: URL parsers resolve it (even
 * percent-encoded) as a directory step, so no client can address it safely.
 */
export function encodePathSegment(value: string): string {
	if (value.length <= 2 && /^\.+$/.test(value)) {
		throw new Error(
			`${quoted(value)} cannot be used as an ID in a URL: a path segment of only dots would address another endpoint`,
		);
	}
	return encodeURIComponent(value);
}

/** The URL without white space around it and without trailing slashes (a loop: /\/+$/ backtracks on "////…x"). */
export function trimSlash(url: string): string {
	const text = String(url ?? '').trim();
	let end = text.length;
	while (end > 0 && text[end - 1] === '/') end--;
	return text.slice(0, end);
}
