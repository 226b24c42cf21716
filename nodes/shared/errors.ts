import type { IDataObject, INode, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** Replaces every occurrence of a secret in a text with "***" (keys must never reach output or logs). */
export function redact(text: string, secrets: Array<string | undefined>): string {
	let out = String(text ?? '');
	for (const secret of secrets) {
		if (typeof secret === 'string' && secret.length >= 4) out = out.split(secret).join('***');
	}
	return out;
}

/** Redacts secrets from every string in a JSON value (deep copy). */
export function redactDeep<T>(value: T, secrets: Array<string | undefined>): T {
	if (typeof value === 'string') return redact(value, secrets) as T;
	if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T;
	if (value && typeof value === 'object') {
		const out: IDataObject = {};
		for (const [k, v] of Object.entries(value as IDataObject)) out[k] = redactDeep(v, secrets);
		return out as T;
	}
	return value;
}

export interface ApiErrorDetails {
	message: string;
	description?: string;
	httpCode?: number;
	itemIndex?: number;
	/** Plain data for the error's JSON (never a request or response object: those carry headers). */
	data?: IDataObject;
}

/** A NodeApiError built only from plain values, so no request headers (and so no key) can leak into it. */
export function apiError(node: INode, details: ApiErrorDetails): NodeApiError {
	const response: JsonObject = { message: details.message, ...(details.data ?? {}) } as JsonObject;
	if (details.httpCode !== undefined) response.httpCode = String(details.httpCode);
	const error = new NodeApiError(node, response, {
		message: details.message,
		description: details.description,
		httpCode: details.httpCode !== undefined ? String(details.httpCode) : undefined,
		itemIndex: details.itemIndex,
	});
	// NodeApiError swaps a message that mentions a network code (ECONNREFUSED…) for a generic sentence;
	// ours already says what failed and where, so keep it.
	error.message = details.message;
	return error;
}

export function inputError(node: INode, message: string, itemIndex: number, description?: string): NodeOperationError {
	return new NodeOperationError(node, message, { itemIndex, description });
}

/** The error as an n8n node error tied to the item (n8n's own errors pass through unchanged). */
export function asNodeError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error as Error, { itemIndex });
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
	const got = body === undefined ? 'an empty body' : typeof body === 'string' ? `"${body.slice(0, 120)}${body.length > 120 ? '…' : ''}"` : JSON.stringify(body).slice(0, 120);
	throw apiError(node, {
		message: `${service} answered with success but not with the JSON it should (got ${got})`,
		description: 'Something between n8n and the API (a proxy, a wrong Base URL) may have answered instead. Check the Base URL in the credential.',
		itemIndex,
	});
}
