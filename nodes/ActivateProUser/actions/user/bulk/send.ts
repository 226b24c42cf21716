// ActivatePro → User → Bulk, concurrent sends: POST /users/batch per chunk, a few in flight, and each answer mapped
// to its items (validation errors by JSON pointer). Uses transport, outcomes, plan, limits, shared/.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { itemLabel } from '../../../../shared/errors';
import { duration, nodeLog } from '../../../../shared/log';
import { clipForLog } from '../../../../shared/text';
import {
	activateProError,
	activateProRequest,
	apiErrorsOf,
	describeApiError,
	type ActivateProApiError,
} from '../../../transport';
import type { Entry } from '../input';
import { MAX_BATCH_SIZE, SEND_CONCURRENCY } from './limits';
import { failure, rejection, resultJson, type Outcomes } from './outcomes';
import type { ChunkPlan, ChunkSink } from './plan';

/**
 * Sends chunks as they are handed over, SEND_CONCURRENCY at a time: send() resolves once the chunk has a place
 * (so the caller reads on while it is in flight); a chunk that names earlier ones goes once they are answered.
 * Progress goes to the log about ten times a run (and to the editor in a manual run): a long sync shows it moves.
 */
export function chunkSender(
	ctx: IExecuteFunctions,
	itemCount: number,
	outcomes: Outcomes,
	started: number,
): ChunkSink & { finished(): Promise<SentChunks> } {
	const log = nodeLog(ctx);
	const answers: Array<Promise<SentChunk | undefined>> = [];
	const inFlight = new Set<Promise<unknown>>();
	const every = Math.max(1, Math.ceil(itemCount / MAX_BATCH_SIZE / 10));
	let total: number | undefined; // entries, once every item is read
	let sentCount = 0;
	let sentEntries = 0;
	let ordered = 0;
	const progress = () => {
		if (sentCount % every !== 0 && !(total !== undefined && sentEntries === total)) return;
		const of = total === undefined ? `${sentEntries} entries so far` : `${sentEntries} of ${total} entries`;
		const batches = total !== undefined && sentEntries === total ? `${sentCount} of ${answers.length}` : `${sentCount}`;
		log.progress(`batch ${batches} sent (${of}) in ${duration(Date.now() - started)}`, {
			batches: sentCount,
			entries: sentEntries,
		});
	};
	return {
		async send(chunk: ChunkPlan): Promise<void> {
			while (inFlight.size >= SEND_CONCURRENCY) await Promise.race(inFlight);
			if (chunk.after.size > 0) ordered++;
			const earlier = [...chunk.after].map((n) => answers[n]);
			// sendChunk turns every failure into item outcomes; allSettled only so that nothing can stall the order
			const answer = Promise.allSettled(earlier).then(async () => {
				const result = await sendChunk(ctx, chunk, outcomes);
				sentCount++;
				sentEntries += chunk.entries.length;
				progress();
				return result;
			});
			answers.push(answer);
			const done: Promise<unknown> = answer.then(
				(): boolean => inFlight.delete(done),
				(): boolean => inFlight.delete(done),
			);
			inFlight.add(done);
			// While places are free the caller would read on without a pause and the request would not leave until
			// it waits; yield to the event loop so that it goes out now. Once all places are taken, waiting yields.
			if (inFlight.size < SEND_CONCURRENCY) await sleep(0);
		},
		readAll(entries: number) {
			total = entries;
		},
		async finished() {
			const all = await Promise.all(answers);
			return { requests: answers.length, ordered, accepted: all.filter((s): s is SentChunk => s !== undefined) };
		},
	};
}

/** What the sends came to: requests made, how many waited for an earlier one, the batches ActivatePro accepted. */
interface SentChunks {
	requests: number;
	ordered: number;
	accepted: SentChunk[];
}

export interface SentChunk {
	chunk: ChunkPlan;
	trackingId: string;
	/** Entries the API accepted (not rejected by validation). */
	accepted: Entry[];
}

async function sendChunk(ctx: IExecuteFunctions, chunk: ChunkPlan, outcomes: Outcomes): Promise<SentChunk | undefined> {
	const body = { updated: chunk.updated.map((e) => e.body), deleted: chunk.deleted.map((e) => e.body) };
	const first = chunk.entries[0].itemIndex;
	let answer;
	try {
		// idempotent: every entry is an upsert or a delete, so a batch applied twice leaves the same users
		answer = await activateProRequest(ctx, 'POST', '/users/batch', body, first, { idempotent: true });
	} catch (error) {
		for (const entry of chunk.entries) outcomes[entry.itemIndex] = failure(error as Error);
		return undefined;
	}
	const trackingId = (answer.body as IDataObject | undefined)?.trackingId;
	const errors = answer.statusCode === 202 || answer.statusCode === 400 ? apiErrorsOf(answer.body) : [];
	const accepted = typeof trackingId === 'string' && (answer.statusCode === 202 || answer.statusCode === 400);
	if (!accepted && errors.length === 0) {
		const error = activateProError(ctx.getNode(), answer, {
			itemIndex: first,
			action: `send a batch of ${chunk.entries.length} users`,
		});
		for (const entry of chunk.entries) outcomes[entry.itemIndex] = failure(error);
		return undefined;
	}

	// Validation errors name entries by JSON pointer (/updated/17/email): map each to its input item.
	const perEntry = new Map<Entry, ActivateProApiError[]>();
	const general: ActivateProApiError[] = [];
	for (const apiErr of errors) {
		const pointer = parseEntryPointer(apiErr.source?.pointer);
		const list = pointer?.list === 'updated' ? chunk.updated : pointer?.list === 'deleted' ? chunk.deleted : undefined;
		const entry = list && pointer ? list[pointer.index] : undefined;
		if (entry) perEntry.set(entry, [...(perEntry.get(entry) ?? []), apiErr]);
		else general.push(apiErr);
	}
	// An error that names no entry of this request (no pointer, or one out of range) cannot be pinned on one
	// item: every accepted item of the request carries it, and the log says it once.
	const unplaced = accepted && general.length > 0 ? unplacedErrorsNote(ctx, chunk, general) : undefined;
	const acceptedEntries: Entry[] = [];
	for (const entry of chunk.entries) {
		const own = perEntry.get(entry);
		if (own) {
			outcomes[entry.itemIndex] = rejection(ctx, entry, own);
		} else if (!accepted) {
			// No tracking id: nothing of this request is processed, whatever the error was.
			outcomes[entry.itemIndex] = rejection(ctx, entry, general, 'ActivatePro rejected the whole batch');
		} else {
			acceptedEntries.push(entry);
			const json = resultJson(entry, trackingId as string);
			if (unplaced) json.warning = unplaced;
			outcomes[entry.itemIndex] = { json, pairedItem: { item: entry.itemIndex } };
		}
	}
	return accepted ? { chunk, trackingId: trackingId as string, accepted: acceptedEntries } : undefined;
}

/** The note every accepted item of a request gets when ActivatePro reported errors that name none of them. */
function unplacedErrorsNote(ctx: IExecuteFunctions, chunk: ChunkPlan, errors: ActivateProApiError[]): string {
	const items = `${itemLabel(chunk.entries[0].itemIndex)} to ${itemLabel(chunk.entries[chunk.entries.length - 1].itemIndex)}`;
	const note =
		`ActivatePro accepted this batch (${items}) but reported ${errors.length === 1 ? 'an error that names' : `${errors.length} errors that name`} no entry of it: ` +
		`${errors.slice(0, 3).map(describeApiError).join('; ')}${errors.length > 3 ? '; …' : ''}. ` +
		'Which users it concerns is not known: turn on "Wait for Completion" to have each user checked, or read them back with "Get".';
	nodeLog(ctx).warn(`bulk: ${note}`, { items: chunk.entries.length, unplacedErrors: errors.length });
	return clipForLog(note);
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
