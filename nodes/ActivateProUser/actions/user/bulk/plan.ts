// ActivatePro → User → Bulk, chunk planning: input items read into entries and cut into requests of 1000, a user's
// changes kept in order. Uses input, outcomes, limits.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { bulkEntryReader, type BulkAction, type Entry } from '../input';
import { MAX_BATCH_SIZE } from './limits';
import { refusal, type Outcomes } from './outcomes';

/** The entries of one request, by list, and the earlier requests it must wait for. */
export interface ChunkPlan {
	entries: Entry[];
	updated: Entry[];
	deleted: Entry[];
	/** The numbers of earlier chunks with a user of this one: they must be answered before this one goes (order). */
	after: Set<number>;
}

/** Where the planned chunks go, in order (numbered from 0): see chunkSender. */
export interface ChunkSink {
	/** Resolves once the chunk has a place among the requests in flight: reading goes on while it is sent. */
	send(chunk: ChunkPlan): Promise<void>;
	/** Every item is read: this many entries in all. */
	readAll(entries: number): void;
}

/**
 * Reads every item into its entry (an item that cannot be one is refused in `outcomes`) and hands the chunks to
 * `sink` as they fill, so that a request leaves while the next entries are read. Returns the number of entries.
 */
export async function planChunks(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	outcomes: Outcomes,
	sink: ChunkSink,
): Promise<number> {
	const readEntry = bulkEntryReader(ctx, items);
	// user id -> the last chunk that has it, and with which action (chunk number * 2 + 1 for a delete)
	const lastChunkOf = new Map<string, number>();
	let chunk = newChunk();
	let chunkNumber = 0;
	let entryCount = 0;
	for (let i = 0; i < items.length; i++) {
		let entry: Entry;
		try {
			entry = readEntry(i);
		} catch (error) {
			outcomes[i] = refusal(error as Error);
			continue;
		}
		const id = entry.body.id as string;
		const seen = lastChunkOf.get(id);
		if (seen !== undefined && seen !== placeOf(chunkNumber, entry.action)) {
			const seenChunk = seen >> 1;
			// The same user with the other action in this request: the API would not keep their order, so the
			// request is cut here and the next waits for it.
			if (seenChunk === chunkNumber) {
				await sink.send(chunk);
				chunk = newChunk();
				chunkNumber++;
			}
			chunk.after.add(seenChunk);
		}
		lastChunkOf.set(id, placeOf(chunkNumber, entry.action));
		chunk.entries.push(entry);
		(entry.action === 'upsert' ? chunk.updated : chunk.deleted).push(entry);
		entryCount++;
		if (chunk.entries.length >= MAX_BATCH_SIZE) {
			await sink.send(chunk);
			chunk = newChunk();
			chunkNumber++;
		}
	}
	lastChunkOf.clear(); // a key per user: not needed while waiting
	sink.readAll(entryCount);
	if (chunk.entries.length > 0) await sink.send(chunk);
	return entryCount;
}

/** Where a user was last seen, as one number: its chunk and its action. */
function placeOf(chunkNumber: number, action: BulkAction): number {
	return chunkNumber * 2 + (action === 'delete' ? 1 : 0);
}

function newChunk(): ChunkPlan {
	return { entries: [], updated: [], deleted: [], after: new Set() };
}
