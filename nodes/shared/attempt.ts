// Shared: what one attempt at an HTTP request produced, and which transport failures may have reached the server.
// Uses nothing. http.ts makes attempts and retry.ts decides on them; both read this, neither reads the other.

/** What one attempt at an HTTP request produced: an answer (any status) or a transport failure. */
export type AttemptOutcome =
	| { kind: 'response'; statusCode: number; headers: Record<string, unknown>; body: unknown }
	| { kind: 'transportError'; error: Error; code: string; maybeProcessed: boolean };

// Connection failures where the request may already have reached the server (answer lost). An upsert or
// delete can be repeated safely; a create must first check whether it happened (see RetryHooks.beforeRetry).
const AMBIGUOUS_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'ESOCKETTIMEDOUT',
	'ERR_SOCKET_CLOSED',
]);
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

// n8n replaces a network code in an error's message with a sentence of its own (NodeApiError's list of common
// errors); on n8n 1.x that sentence can be all that is left of the code, so it is read back too.
const N8N_SENTENCES: Array<[RegExp, string]> = [
	[/connection to the server was closed unexpectedly|server closed the connection unexpectedly/i, 'ECONNRESET'],
	[/connection timed out/i, 'ETIMEDOUT'],
	[/connection was aborted/i, 'ECONNABORTED'],
	[/service refused the connection/i, 'ECONNREFUSED'],
	[/connection cannot be established/i, 'ENOTFOUND'],
	[/host is unreachable/i, 'EHOSTUNREACH'],
	[/DNS server returned an error/i, 'EAI_AGAIN'],
];

/**
 * Whether an error thrown by n8n's HTTP helpers is a transport failure, and whether the request may have
 * reached the server. The same on every n8n version: the code is looked for along the whole cause chain
 * (2.x keeps it on the error, 1.x on the HTTP client's error inside NodeApiError), then in the messages.
 */
export function classifyTransportError(error: unknown): { code: string; maybeProcessed: boolean } | undefined {
	const codes: string[] = [];
	const messages: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
		const e = current as { code?: unknown; message?: unknown; response?: { status?: unknown }; cause?: unknown };
		if (typeof e.response?.status === 'number') return undefined; // an HTTP answer, not a transport failure
		if (typeof e.code === 'string' && e.code) codes.push(e.code);
		if (typeof e.message === 'string') messages.push(e.message);
		current = e.cause;
	}
	for (const code of codes) {
		if (NOT_SENT_CODES.has(code)) return { code, maybeProcessed: false };
		if (AMBIGUOUS_CODES.has(code)) return { code, maybeProcessed: true };
	}
	const text = messages.join(' | ');
	for (const [pattern, code] of N8N_SENTENCES) {
		if (pattern.test(text)) return { code, maybeProcessed: !NOT_SENT_CODES.has(code) };
	}
	if (/socket hang up|timeout|aborted|ECONNRESET/i.test(text))
		return { code: codes[0] || 'ECONNRESET', maybeProcessed: true };
	if (/ECONNREFUSED/.test(text)) return { code: 'ECONNREFUSED', maybeProcessed: false };
	return undefined;
}
