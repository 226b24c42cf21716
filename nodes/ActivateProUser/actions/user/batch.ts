import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { parseEntryPointer } from '../../../shared/batching';
import { apiError, errorItem, errorMessage, inputError, itemLabel } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { itemReader } from '../../../shared/itemFields';
import { duration, nodeLog } from '../../../shared/log';
import { DEFAULT_POLL_SCHEDULE, mapWithConcurrency, pollUntilDone } from '../../../shared/tracking';
import { activateProRequest, answerError, apiErrorsOf, describeApiError, type ActivateProApiError } from '../../transport';
import { buildUserEntry, fetchTracking, readWaitOptions, TRACKING_EXPIRED, userFieldReaders, type TrackingStatus } from './common';

export const MAX_BATCH_SIZE = 1000;
/** Batch requests in flight at once. */
const SEND_CONCURRENCY = 4;
/** Read-backs in flight when a processed batch reports errors we must attribute to items. */
const VERIFY_CONCURRENCY = 8;
/** Tracking requests in flight while waiting (pollUntilDone's default). */
const POLL_CONCURRENCY = 8;

export const properties: INodeProperties[] = [
	{
		displayName: 'Action',
		name: 'batchAction',
		type: 'options',
		default: 'upsert',
		description: 'What to do with the user of each input item. Map a field with an expression to mix both in one run.',
		displayOptions: { show: { operation: ['batch'] } },
		options: [
			{ name: 'Create or Update', value: 'upsert' },
			{ name: 'Delete', value: 'delete' },
		],
	},
];

type Action = 'upsert' | 'delete';

interface Entry {
	itemIndex: number;
	action: Action;
	body: IDataObject;
}

interface ChunkPlan {
	entries: Entry[];
	updated: Entry[];
	deleted: Entry[];
}

/** Per input item: exactly one outcome. */
type Outcome = { ok: true; json: IDataObject } | { ok: false; error: Error };

/**
 * POST /users/batch — every input item is one entry; entries go out 1000 per request (updated and deleted
 * together), answers and validation errors are mapped back to the item they name.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const outcomes = new Array<Outcome | undefined>(items.length);
	const entries = readEntries(this, items, outcomes);
	const chunks = planChunks(entries);
	const wait = readWaitOptions(this, 0);

	// Chunks that touch the same user must keep input order, so they go one after another.
	const concurrency = chunksShareUsers(chunks) ? 1 : SEND_CONCURRENCY;
	const log = nodeLog(this);
	const started = Date.now();
	log.debug(`bulk: ${items.length} items, ${entries.length} entries in ${chunks.length} requests (${items.length - entries.length} refused before sending), ${concurrency} at a time`);
	// Progress at info level about ten times a run (and to the editor in a manual run): a long sync shows it moves.
	const every = Math.max(1, Math.ceil(chunks.length / 10));
	let sentCount = 0;
	let sentEntries = 0;
	const sent = await mapWithConcurrency(chunks, concurrency, async (chunk) => {
		const result = await sendChunk(this, chunk, outcomes);
		sentCount++;
		sentEntries += chunk.entries.length;
		if (sentCount % every === 0 || sentCount === chunks.length) {
			log.progress(`batch ${sentCount} of ${chunks.length} sent (${sentEntries} of ${entries.length} entries) in ${duration(Date.now() - started)}`, { batches: sentCount, entries: sentEntries });
		}
		return result;
	});

	if (wait.waitForCompletion) {
		const accepted = sent.filter((s): s is SentChunk => s !== undefined);
		await waitForChunks(this, accepted, wait.timeoutMs, outcomes);
	}
	return finish(this, items, outcomes);
}

function readEntries(ctx: IExecuteFunctions, items: INodeExecutionData[], outcomes: Array<Outcome | undefined>): Entry[] {
	const read = userFieldReaders(ctx, items, true);
	const readAction = itemReader(ctx, 'batchAction', items, 'upsert');
	const entries: Entry[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const action = String(readAction(i) ?? '').trim().toLowerCase();
			if (action !== 'upsert' && action !== 'delete') {
				throw inputError(ctx.getNode(), `"Action" must be "upsert" or "delete", not "${action}" (${itemLabel(i)})`, i);
			}
			const isUpsert = action === 'upsert';
			const body = buildUserEntry(
				ctx,
				i,
				{ userId: read.userId(i), email: read.email(i), businessUnit: read.businessUnit(i), attributes: isUpsert ? read.attributes(i) : {} },
				isUpsert,
			);
			if (!isUpsert) delete body.businessUnit;
			entries.push({ itemIndex: i, action, body });
		} catch (error) {
			outcomes[i] = failure(error as Error);
		}
	}
	return entries;
}

/** 1000 entries a request; a user that appears again with another action starts a new request (order). */
function planChunks(entries: Entry[]): ChunkPlan[] {
	const chunks: ChunkPlan[] = [];
	let current: ChunkPlan | undefined;
	let actionsById = new Map<string, Action>();
	for (const entry of entries) {
		const id = String(entry.body.id);
		const seen = actionsById.get(id);
		if (!current || current.entries.length >= MAX_BATCH_SIZE || (seen !== undefined && seen !== entry.action)) {
			current = { entries: [], updated: [], deleted: [] };
			chunks.push(current);
			actionsById = new Map();
		}
		actionsById.set(id, entry.action);
		current.entries.push(entry);
		(entry.action === 'upsert' ? current.updated : current.deleted).push(entry);
	}
	return chunks;
}

function chunksShareUsers(chunks: ChunkPlan[]): boolean {
	if (chunks.length < 2) return false;
	const owner = new Map<string, number>();
	for (let c = 0; c < chunks.length; c++) {
		for (const entry of chunks[c].entries) {
			const id = String(entry.body.id);
			const first = owner.get(id);
			if (first !== undefined && first !== c) return true;
			owner.set(id, c);
		}
	}
	return false;
}

interface SentChunk {
	chunk: ChunkPlan;
	trackingId: string;
	/** Entries the API accepted (not rejected by validation). */
	accepted: Entry[];
}

async function sendChunk(ctx: IExecuteFunctions, chunk: ChunkPlan, outcomes: Array<Outcome | undefined>): Promise<SentChunk | undefined> {
	const body = { updated: chunk.updated.map((e) => e.body), deleted: chunk.deleted.map((e) => e.body) };
	const first = chunk.entries[0].itemIndex;
	let answer;
	try {
		answer = await activateProRequest(ctx, 'POST', '/users/batch', body, first);
	} catch (error) {
		for (const entry of chunk.entries) outcomes[entry.itemIndex] = failure(error as Error);
		return undefined;
	}
	const trackingId = (answer.body as IDataObject | undefined)?.trackingId;
	const errors = answer.statusCode === 202 || answer.statusCode === 400 ? apiErrorsOf(answer.body) : [];
	const accepted = typeof trackingId === 'string' && (answer.statusCode === 202 || answer.statusCode === 400);
	if (!accepted && errors.length === 0) {
		const error = answerError(ctx.getNode(), answer, { itemIndex: first, action: `send a batch of ${chunk.entries.length} users` });
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
			outcomes[entry.itemIndex] = { ok: true, json: resultJson(entry, 'accepted', trackingId as string) };
		}
	}
	return accepted ? { chunk, trackingId: trackingId as string, accepted: acceptedEntries } : undefined;
}

async function waitForChunks(ctx: IExecuteFunctions, sent: SentChunk[], timeoutMs: number, outcomes: Array<Outcome | undefined>) {
	if (sent.length === 0) return;
	const byTracking = new Map(sent.map((s) => [s.trackingId, s]));
	type Polled = { status?: TrackingStatus; error?: Error };
	const polled = await pollUntilDone<Polled>(
		[...byTracking.keys()],
		async (trackingId) => {
			try {
				const status = await fetchTracking(ctx, trackingId, byTracking.get(trackingId)!.accepted[0]?.itemIndex);
				return { done: status.stage === 'PROCESSED', value: { status } };
			} catch (error) {
				return { done: true, value: { error: error as Error } };
			}
		},
		{ ...DEFAULT_POLL_SCHEDULE, timeoutMs },
		POLL_CONCURRENCY,
		trackingProgress(ctx),
	);

	for (const [trackingId, value] of polled.unfinished) {
		const s = byTracking.get(trackingId)!;
		const error = inputError(
			ctx.getNode(),
			`ActivatePro had not finished this batch after ${Math.round(timeoutMs / 1000)} s (tracking ID ${trackingId}, stage ${value?.status?.stage ?? 'unknown'})`,
			s.accepted[0]?.itemIndex ?? 0,
			'The users were accepted and may still be processed. Check later with "Get Request Status" (tracking ids live 24 hours), or raise "Timeout (Seconds)".',
		);
		for (const entry of s.accepted) outcomes[entry.itemIndex] = failure(error);
	}

	await mapWithConcurrency([...polled.finished], 2, async ([trackingId, value]) => {
		const s = byTracking.get(trackingId)!;
		if (value.error) {
			const expired = errorMessage(value.error).includes(TRACKING_EXPIRED);
			const error = inputError(
				ctx.getNode(),
				`Lost track of this batch while waiting: tracking ID ${trackingId} is ${expired ? TRACKING_EXPIRED : errorMessage(value.error)}`,
				s.accepted[0]?.itemIndex ?? 0,
				'The users were accepted; whether they were processed is not known. Read them back with "Get" before running the batch again (repeating an upsert or delete is safe).',
			);
			for (const entry of s.accepted) outcomes[entry.itemIndex] = failure(error);
			return;
		}
		const status = value.status!;
		// The tracking counts say how many failed, not which: read those users back to tell the items apart.
		const failed = status.success < s.accepted.length ? await findUnapplied(ctx, s.accepted) : new Set<Entry>();
		for (const entry of s.accepted) {
			if (failed.has(entry)) {
				const error = apiError(ctx.getNode(), {
					message: `ActivatePro accepted but did not apply the ${entry.action} of user "${entry.body.id}" (${itemLabel(entry.itemIndex)})`,
					description:
						entry.action === 'upsert'
							? 'Processing failed for this user (tracking ' + trackingId + '). The usual cause: the email already belongs to a user with another ID.'
							: 'The user still exists after processing (tracking ' + trackingId + ').',
					itemIndex: entry.itemIndex,
				});
				outcomes[entry.itemIndex] = failure(error);
			} else {
				outcomes[entry.itemIndex] = { ok: true, json: resultJson(entry, 'processed', trackingId, status) };
			}
		}
	});
}

/** Reads back the users of a batch that reported processing errors; returns the entries not applied. */
async function findUnapplied(ctx: IExecuteFunctions, entries: Entry[]): Promise<Set<Entry>> {
	const failed = new Set<Entry>();
	await mapWithConcurrency(entries, VERIFY_CONCURRENCY, async (entry) => {
		const answer = await activateProRequest(ctx, 'GET', `/users/${encodePathSegment(String(entry.body.id))}`, undefined, entry.itemIndex).catch(() => undefined);
		if (!answer) return; // cannot tell; keep the item as processed rather than invent a failure
		const user = answer.body as IDataObject | undefined;
		const applied =
			entry.action === 'delete'
				? answer.statusCode === 404
				: answer.statusCode === 200 && String(user?.email ?? '').toLowerCase() === String(entry.body.email ?? '').toLowerCase();
		if (!applied) failed.add(entry);
	});
	return failed;
}

/** Tracking progress: a line at info level whenever another tenth of the batches is processed (debug per round). */
function trackingProgress(ctx: IExecuteFunctions) {
	const log = nodeLog(ctx);
	let reported = 0;
	return ({ finished, total, elapsedMs, rounds }: { finished: number; total: number; elapsedMs: number; rounds: number }) => {
		log.debug(`tracking: ${finished} of ${total} batches processed after ${rounds} rounds, ${duration(elapsedMs)}`);
		if (finished === reported) return;
		if (finished === total || finished - reported >= Math.max(1, Math.ceil(total / 10))) {
			reported = finished;
			log.progress(`tracking: ${finished} of ${total} batches processed in ${duration(elapsedMs)}`, { processed: finished, batches: total });
		}
	};
}

function finish(ctx: IExecuteFunctions, items: INodeExecutionData[], outcomes: Array<Outcome | undefined>): INodeExecutionData[] {
	const failures = outcomes.map((o, i) => (o && !o.ok ? i : -1)).filter((i) => i >= 0);
	if (failures.length > 0) {
		const first = outcomes[failures[0]] as Extract<Outcome, { ok: false }>;
		nodeLog(ctx).warn(`bulk: ${failures.length} of ${items.length} items failed; first: ${itemLabel(failures[0])}: ${errorMessage(first.error)}`, { failed: failures.length, items: items.length });
	}
	if (failures.length > 0 && !ctx.continueOnFail()) {
		const first = failures[0];
		const firstOutcome = outcomes[first] as Extract<Outcome, { ok: false }>;
		const okCount = outcomes.filter((o) => o?.ok).length;
		throw new NodeOperationError(
			ctx.getNode(),
			`${failures.length} of ${items.length} items failed; first: ${itemLabel(first)}: ${errorMessage(firstOutcome.error)}`,
			{
				itemIndex: first,
				description:
					`Failed items: ${failures.slice(0, 20).map((i) => i + 1).join(', ')}${failures.length > 20 ? ', …' : ''}. ` +
					`${okCount} other items were accepted by ActivatePro. Turn on "On Error: Continue (using error output)" to route the failed items to their own output.`,
			},
		);
	}
	return items.map((_, i) => {
		const outcome = outcomes[i] ?? failure(new Error('internal: no outcome'));
		return outcome.ok ? { json: outcome.json, pairedItem: { item: i } } : errorItem(outcome.error, i);
	});
}

/**
 * The output of an accepted entry, written property by property: on 100,000 items object spreads here
 * cost more CPU and memory than all of the HTTP work (measured with npm run bench).
 */
function resultJson(entry: Entry, status: 'accepted' | 'processed', trackingId: string, tracking?: TrackingStatus): IDataObject {
	const json: IDataObject = { action: entry.action, userId: entry.body.id };
	if (entry.body.email !== undefined) json.email = entry.body.email;
	json.status = status;
	json.trackingId = trackingId;
	if (tracking) {
		json.stage = tracking.stage;
		json.total = tracking.total;
		json.success = tracking.success;
		json.error = tracking.error;
	}
	return json;
}

function rejection(ctx: IExecuteFunctions, entry: Entry, errors: ActivateProApiError[], prefix = 'ActivatePro rejected'): Outcome {
	const text = errors.length ? errors.map(describeApiError).join('; ') : 'no reason given';
	const error = apiError(ctx.getNode(), {
		message: `${prefix} ${entry.action === 'delete' ? 'the delete of' : ''} user "${entry.body.id}" (${itemLabel(entry.itemIndex)}): ${text}`.replace(/\s+/g, ' '),
		httpCode: 400,
		itemIndex: entry.itemIndex,
	});
	return failure(error);
}

function failure(error: Error): Outcome {
	return { ok: false, error };
}
