// Shared: errors in words a user acts on, secrets masked, and the error item. Uses n8n-workflow only.
import type { IDataObject, INode, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * Replaces every occurrence of a secret in a text with "***", and the user and password of every URL in it
 * ("https://user:pass@host" → "https://***@host"): keys must never reach output, errors or logs, wherever the
 * text came from (a server that echoes the request included). Linear in the text: one split per secret, one
 * scan for URLs; no regex runs over the text.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
	let out = String(text ?? '');
	for (const secret of secrets) {
		if (typeof secret === 'string' && secret.length >= 4 && out.includes(secret)) out = out.split(secret).join('***');
	}
	return maskUrlUserinfo(out);
}

/** Redacts secrets from every string (and key) in a JSON value (deep copy). */
export function redactDeep<T>(value: T, secrets: ReadonlyArray<string | undefined> = [], depth = 0): T {
	if (typeof value === 'string') return redact(value, secrets) as T;
	if (depth > 32) return '[too deep]' as T; // JSON from a server is a tree; this only guards a cycle
	if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets, depth + 1)) as T;
	if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
		const out: IDataObject = {};
		for (const [k, v] of Object.entries(value as IDataObject))
			out[redact(k, secrets)] = redactDeep(v, secrets, depth + 1);
		return out as T;
	}
	return value;
}

// What ends the authority part of a URL ("user:pass@host:port") inside a text.
const AUTHORITY_ENDS = new Set([...'/?#"\'<>()[]{},; \t\r\n']);

/** "https://user:pass@host/x" → "https://***@host/x", for every URL in the text; one pass. */
export function maskUrlUserinfo(text: string): string {
	if (text.indexOf('@') === -1) return text;
	let out = '';
	let from = 0;
	let scheme = text.indexOf('://');
	while (scheme !== -1) {
		const start = scheme + 3;
		let end = start;
		let at = -1;
		for (; end < text.length && !AUTHORITY_ENDS.has(text[end]); end++) if (text[end] === '@') at = end;
		if (at !== -1) {
			out += `${text.slice(from, start)}***`;
			from = at;
		}
		scheme = text.indexOf('://', Math.max(end, start));
	}
	return out + text.slice(from);
}

/**
 * The secrets a Base URL carries in its user info: the password (as written and decoded), "user:password"
 * and its base64 (the Basic authorization header the HTTP client makes of it), for redact().
 */
export function urlSecrets(url: string): string[] {
	const scheme = url.indexOf('://');
	const end = scheme === -1 ? -1 : url.indexOf('/', scheme + 3);
	const authority = scheme === -1 ? '' : url.slice(scheme + 3, end === -1 ? undefined : end);
	const at = authority.lastIndexOf('@');
	if (at === -1) return [];
	const userinfo = authority.slice(0, at);
	const colon = userinfo.indexOf(':');
	const decode = (value: string) => {
		try {
			return decodeURIComponent(value);
		} catch {
			return value;
		}
	};
	const user = decode(colon === -1 ? userinfo : userinfo.slice(0, colon));
	const password = colon === -1 ? '' : decode(userinfo.slice(colon + 1));
	const pair = `${user}:${password}`;
	return [
		userinfo,
		colon === -1 ? '' : userinfo.slice(colon + 1),
		password,
		pair,
		Buffer.from(pair).toString('base64'),
	].filter((s) => s.length >= 4);
}

export interface ApiErrorDetails {
	message: string;
	description?: string;
	httpCode?: number;
	itemIndex?: number;
	/** Plain data for the error's JSON (never a request or response object: those carry headers). */
	data?: IDataObject;
	/** The credential's secrets: masked wherever they appear (URL user info always is). */
	secrets?: readonly string[];
}

/**
 * A NodeApiError built only from plain values, so no request headers (and so no key) can leak into it; its
 * texts are redacted (the credential's secrets, URL user info) whatever they quote.
 */
export function apiError(node: INode, details: ApiErrorDetails): NodeApiError {
	const secrets = details.secrets ?? [];
	const message = redact(details.message, secrets);
	const description = details.description === undefined ? undefined : redact(details.description, secrets);
	const response: JsonObject = { message, ...redactDeep(details.data ?? {}, secrets) } as JsonObject;
	if (details.httpCode !== undefined) response.httpCode = String(details.httpCode);
	const error = new NodeApiError(node, response, {
		message,
		description,
		httpCode: details.httpCode !== undefined ? String(details.httpCode) : undefined,
		itemIndex: details.itemIndex,
	});
	// NodeApiError swaps a message that mentions a network code (ECONNREFUSED…) for a generic sentence;
	// ours already says what failed and where, so keep it.
	error.message = message;
	return error;
}

export function inputError(node: INode, message: string, itemIndex: number, description?: string): NodeOperationError {
	return new NodeOperationError(node, message, { itemIndex, description });
}

/**
 * The error as an n8n node error tied to the item, with the credential's secrets and URL user info masked in
 * everything n8n keeps of it. n8n's own errors pass through, redacted in place; anything else becomes a
 * NodeOperationError of its message and description only (its cause may be an HTTP client's error, headers
 * and all).
 */
export function asNodeError(
	node: INode,
	error: unknown,
	itemIndex: number,
	secrets: readonly string[] = [],
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return redactError(error, secrets);
	const message = error instanceof Error ? error.message : String(error);
	const description = (error as { description?: unknown } | undefined)?.description;
	return new NodeOperationError(node, redact(message, secrets), {
		itemIndex,
		description: typeof description === 'string' ? redact(description, secrets) : undefined,
	});
}

/** Masks secrets in place in every text an n8n error carries into the execution data (and its log). */
export function redactError<E extends Error>(error: E, secrets: readonly string[] = []): E {
	const e = error as E & { description?: unknown; messages?: unknown; context?: unknown; cause?: unknown };
	e.message = redact(e.message, secrets);
	if (typeof e.description === 'string') e.description = redact(e.description, secrets);
	if (typeof e.stack === 'string') e.stack = redact(e.stack, secrets);
	if (Array.isArray(e.messages))
		e.messages = e.messages.map((m: unknown) => (typeof m === 'string' ? redact(m, secrets) : m));
	if (e.context && typeof e.context === 'object') {
		const context = e.context as IDataObject;
		for (const key of Object.keys(context)) context[key] = redactDeep(context[key], secrets);
	}
	if (e.cause instanceof Error) {
		e.cause.message = redact(e.cause.message, secrets);
		if (typeof e.cause.stack === 'string') e.cause.stack = redact(e.cause.stack, secrets);
	} else if (e.cause && typeof e.cause === 'object') {
		e.cause = redactDeep(e.cause, secrets);
	}
	return error;
}

/** "item 3" for people: n8n shows items counted from 1 in the editor. */
export function itemLabel(itemIndex: number): string {
	return `item ${itemIndex + 1}`;
}

/** Error text as it should appear on an output item. */
export function errorMessage(error: unknown): string {
	if (error instanceof Error) {
		const description = (error as { description?: string }).description;
		return description && !error.message.includes(description) ? `${error.message}: ${description}` : error.message;
	}
	return String(error);
}

/**
 * The output item for a failed input item: `{ error, message }`, nothing else. `error` says what failed (the
 * item, the user, the API's code, title and field); `message` says what it means and what to do. This is the
 * one shape every n8n version routes to the error output of "On Error: Continue (using error output)": n8n 1.x
 * takes a json-only item as failed only when its json is exactly {error} or {error, message} (2.x also allows
 * `details`), and an `item.error` makes n8n replace the json with the bare message. The error output then
 * merges the input item in, so the failed user's own fields (id, email…) come with it.
 */
export function errorItem(error: unknown, itemIndex: number): INodeExecutionData {
	const text = error instanceof Error ? error.message : String(error);
	const description = (error as { description?: unknown })?.description;
	const message = typeof description === 'string' && description ? description : text;
	return { json: { error: text, message }, pairedItem: { item: itemIndex } };
}

/**
 * The body of a successful answer as a JSON object, or a clear error when the server sent something else
 * (an HTML page from a proxy, invalid JSON, nothing at all).
 */
export function objectBody(node: INode, body: unknown, service: string, itemIndex?: number): IDataObject {
	if (body && typeof body === 'object' && !Array.isArray(body)) return body as IDataObject;
	const got =
		body === undefined
			? 'an empty body'
			: typeof body === 'string'
				? `"${body.slice(0, 120)}${body.length > 120 ? '…' : ''}"`
				: JSON.stringify(body).slice(0, 120);
	throw apiError(node, {
		message: `${service} answered with success but not with the JSON it should (got ${got})`,
		description:
			'Something between n8n and the API (a proxy, a wrong Base URL) may have answered instead. Check the Base URL in the credential.',
		itemIndex,
	});
}
