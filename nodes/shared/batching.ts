// Shared: chunks of entries for one request, and the entry an error's JSON pointer names. Uses nothing.
/** A chunk of entries bound for one request, remembering which input item each entry came from. */
export interface Chunk<E> {
	entries: E[];
	itemIndexes: number[];
}

/** Splits entries (with their item indexes) into chunks of at most `size`, keeping input order. */
export function chunk<E>(entries: E[], itemIndexes: number[], size: number): Array<Chunk<E>> {
	const chunks: Array<Chunk<E>> = [];
	for (let start = 0; start < entries.length; start += size) {
		chunks.push({ entries: entries.slice(start, start + size), itemIndexes: itemIndexes.slice(start, start + size) });
	}
	return chunks;
}

const MAX_POINTER_LENGTH = 1000;

/**
 * Parses a JSON pointer such as "/updated/17/email" into its first array name, the index in it and the
 * field below it. Returns undefined when the pointer names no single entry (e.g. "/updated" or "/").
 */
export function parseEntryPointer(pointer: unknown): { list: string; index: number; field?: string } | undefined {
	// a pointer into a batch of 1000 is short; a longer one (from a broken or hostile server) names no entry
	if (typeof pointer !== 'string' || pointer.length > MAX_POINTER_LENGTH) return undefined;
	const parts = pointer
		.split('/')
		.slice(1)
		.map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
	if (parts.length < 2 || !/^\d+$/.test(parts[1])) return undefined;
	return { list: parts[0], index: Number(parts[1]), field: parts.length > 2 ? parts.slice(2).join('/') : undefined };
}
