// ActivatePro → User → Bulk: POST /users/batch, 1000 users a request, mapped to items. Uses transport, common, shared/.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { parseEntryPointer } from '../../../shared/batching';
import { apiError, errorItem, errorMessage, inputError, itemLabel } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { itemReader } from '../../../shared/itemFields';
import { duration, nodeLog } from '../../../shared/log';
import { clipForLog, quoted } from '../../../shared/text';
import { DEFAULT_POLL_SCHEDULE, mapWithConcurrency, pollUntilDone, stopAtDeadline } from '../../../shared/tracking';
import { pastDeadlineText, WaitRefused } from '../../../shared/waits';
import {
	activateProRequest,
	answerError,
	apiErrorsOf,
	describeApiError,
	type ActivateProApiError,
} from '../../transport';
import { fetchTracking, readWaitOptions, TRACKING_EXPIRED, userEntryReader, type TrackingStatus } from './common';

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
	/** The sends of earlier chunks with a user of this one: they must be answered before this one goes (order). */
	after: Set<Promise<unknown>>;
}

/**
 * Per input item: exactly one outcome, its output item or its error. The output item is made once, when the
 * request is answered (while others are still in flight), and completed in place when tracking reports.
 */
type Outcome = INodeExecutionData | Error;

/**
 * What an error item of the regular output ("On Error: Continue") says went wrong, in its `kind` field.
 * "rejected": the user's data was refused (our checks before sending, ActivatePro's validation, or processing
 * that did not apply it): sending it again unchanged will not help. "failed": anything else (ActivatePro
 * unreachable, a 5xx or 429 after the retries, not finished within the Timeout, lost tracking): the same item
 * can succeed later, so a sync must run it again, not file it away.
 */
export type FailureKind = 'rejected' | 'failed';

/** The errors that are refusals of a user's data; every other error of an item is a failure. */
const refusals = new WeakSet<Error>();

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Create, Update or Delete in Bulk',
	value: 'batch',
	action: 'Create update or delete users in bulk',
	description: 'Send every input item as one entry, 1000 per request',
};

/**
 * POST /users/batch — every input item is one entry; entries go out 1000 per request (updated and deleted
 * together), answers and validation errors are mapped back to the item they name. Reading and sending overlap:
 * a request leaves as soon as its 1000 entries are read, while the next ones are being read.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const outcomes = new Array<Outcome | undefined>(items.length);
	const wait = readWaitOptions(this, 0);
	const log = nodeLog(this);
	const started = Date.now();
	const sender = chunkSender(this, items.length, outcomes, started);

	const readEntry = userEntryReader(this, items);
	const readAction = itemReader(this, 'batchAction', items, 'upsert');
	// user id -> the last chunk that has it, and with which action (chunk number * 2 + 1 for a delete)
	const lastChunkOf = new Map<string, number>();
	let chunk = newChunk();
	let chunkNumber = 0;
	let entryCount = 0;
	for (let i = 0; i < items.length; i++) {
		let entry: Entry;
		try {
			const given = readAction(i);
			const action =
				given === 'upsert' || given === 'delete'
					? given
					: String(given ?? '')
							.trim()
							.toLowerCase();
			if (action !== 'upsert' && action !== 'delete') {
				throw inputError(
					this.getNode(),
					`"Action" must be "upsert" or "delete", not ${quoted(action)} (${itemLabel(i)})`,
					i,
				);
			}
			entry = { itemIndex: i, action, body: readEntry(i, action) };
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
				const previous = await sender.send(chunk);
				chunk = newChunk();
				chunkNumber++;
				chunk.after.add(previous.answer);
			} else {
				chunk.after.add(sender.sent(seenChunk));
			}
		}
		lastChunkOf.set(id, placeOf(chunkNumber, entry.action));
		chunk.entries.push(entry);
		(entry.action === 'upsert' ? chunk.updated : chunk.deleted).push(entry);
		entryCount++;
		if (chunk.entries.length >= MAX_BATCH_SIZE) {
			await sender.send(chunk);
			chunk = newChunk();
			chunkNumber++;
		}
	}
	lastChunkOf.clear(); // a key per user: not needed while waiting
	sender.readAll(entryCount);
	if (chunk.entries.length > 0) await sender.send(chunk);
	const sent = await sender.finished();
	log.debug(
		`bulk: ${items.length} items, ${entryCount} entries in ${sent.requests} requests (${items.length - entryCount} refused before sending), ` +
			`up to ${SEND_CONCURRENCY} at a time; ${sent.ordered} waited for an earlier request with the same user`,
	);

	if (wait.waitForCompletion) await waitForChunks(this, sent.accepted, wait.timeoutMs, outcomes);
	return finish(this, items, outcomes, userOf(this, items));
}

/** The longest user id or email an error item repeats (an email has at most 254 characters). */
const MAX_ECHOED_LENGTH = 320;

/**
 * Who an error item is about, for its `userId` and `email` fields: with "On Error: Continue" the error item
 * carries no field of its input, and a sync that files its rejected users needs to know which they were. Read
 * only for the items that failed (a refused item's own fields may be what was wrong: a missing value stays out).
 */
function userOf(ctx: IExecuteFunctions, items: INodeExecutionData[]) {
	const readId = itemReader(ctx, 'userId', items, '');
	const readEmail = itemReader(ctx, 'email', items, '');
	const text = (read: (i: number) => unknown, i: number): string | undefined => {
		try {
			const value = read(i);
			const given = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
			// an overlong value (a hostile or broken field) is what the error is about: not copied into the item
			return given !== undefined && given.length <= MAX_ECHOED_LENGTH ? given : undefined;
		} catch {
			return undefined;
		}
	};
	return (i: number) => ({ userId: text(readId, i), email: text(readEmail, i) });
}

/** Where a user was last seen, as one number: its chunk and its action. */
function placeOf(chunkNumber: number, action: Action): number {
	return chunkNumber * 2 + (action === 'delete' ? 1 : 0);
}

function newChunk(): ChunkPlan {
	return { entries: [], updated: [], deleted: [], after: new Set() };
}

/**
 * Sends chunks as they are handed over, SEND_CONCURRENCY at a time: send() resolves once the chunk has a place
 * (so the caller reads on while it is in flight) with { answer }, the promise of its answer. Progress goes to
 * the log about ten times a run (and to the editor in a manual run): a long sync shows it moves.
 */
function chunkSender(ctx: IExecuteFunctions, itemCount: number, outcomes: Array<Outcome | undefined>, started: number) {
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
		async send(chunk: ChunkPlan): Promise<{ answer: Promise<unknown> }> {
			while (inFlight.size >= SEND_CONCURRENCY) await Promise.race(inFlight);
			if (chunk.after.size > 0) ordered++;
			// sendChunk turns every failure into item outcomes; allSettled only so that nothing can stall the order
			const answer = Promise.allSettled(chunk.after).then(async () => {
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
			return { answer };
		},
		/** The answer of chunk number n (for a later chunk with one of its users). */
		sent: (n: number): Promise<unknown> => answers[n],
		readAll(entries: number) {
			total = entries;
		},
		async finished() {
			const all = await Promise.all(answers);
			return { requests: answers.length, ordered, accepted: all.filter((s): s is SentChunk => s !== undefined) };
		},
	};
}

interface SentChunk {
	chunk: ChunkPlan;
	trackingId: string;
	/** Entries the API accepted (not rejected by validation). */
	accepted: Entry[];
}

async function sendChunk(
	ctx: IExecuteFunctions,
	chunk: ChunkPlan,
	outcomes: Array<Outcome | undefined>,
): Promise<SentChunk | undefined> {
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
		const error = answerError(ctx.getNode(), answer, {
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

async function waitForChunks(
	ctx: IExecuteFunctions,
	sent: SentChunk[],
	timeoutMs: number,
	outcomes: Array<Outcome | undefined>,
) {
	if (sent.length === 0) return;
	const byTracking = new Map(sent.map((s) => [s.trackingId, s]));
	type Polled = { status?: TrackingStatus; error?: Error };
	const polled = await pollUntilDone<Polled>(
		[...byTracking.keys()],
		async (trackingId, deadline) => {
			try {
				const status = await fetchTracking(
					ctx,
					trackingId,
					byTracking.get(trackingId)!.accepted[0]?.itemIndex,
					deadline,
				);
				return { done: status.stage === 'PROCESSED', value: { status } };
			} catch (error) {
				// the Timeout: reported pending
				if (error instanceof WaitRefused && error.kind === 'deadline') return stopAtDeadline<Polled>(error);
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
			`ActivatePro had not finished this batch ${polled.stoppedBy ? `within the ${Math.round(timeoutMs / 1000)} s Timeout (${pastDeadlineText('ActivatePro', polled.stoppedBy)})` : `after ${Math.round(timeoutMs / 1000)} s`} (tracking ID ${trackingId}, stage ${value?.status?.stage ?? 'unknown'})`,
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
					message: `ActivatePro accepted but did not apply the ${entry.action} of user ${quoted(entry.body.id)} (${itemLabel(entry.itemIndex)})`,
					description:
						entry.action === 'upsert'
							? 'Processing failed for this user (tracking ' +
								trackingId +
								'). The usual cause: the email already belongs to a user with another ID.'
							: 'The user still exists after processing (tracking ' + trackingId + ').',
					itemIndex: entry.itemIndex,
				});
				outcomes[entry.itemIndex] = refusal(error);
			} else {
				const outcome = outcomes[entry.itemIndex];
				if (outcome && !(outcome instanceof Error)) markProcessed(outcome.json, status);
			}
		}
	});
}

/** Reads back the users of a batch that reported processing errors; returns the entries not applied. */
async function findUnapplied(ctx: IExecuteFunctions, entries: Entry[]): Promise<Set<Entry>> {
	const failed = new Set<Entry>();
	await mapWithConcurrency(entries, VERIFY_CONCURRENCY, async (entry) => {
		const answer = await activateProRequest(
			ctx,
			'GET',
			`/users/${encodePathSegment(String(entry.body.id))}`,
			undefined,
			entry.itemIndex,
		).catch(() => undefined);
		if (!answer) return; // cannot tell; keep the item as processed rather than invent a failure
		const user = answer.body as IDataObject | undefined;
		const applied =
			entry.action === 'delete'
				? answer.statusCode === 404
				: answer.statusCode === 200 &&
					String(user?.email ?? '').toLowerCase() === String(entry.body.email ?? '').toLowerCase();
		if (!applied) failed.add(entry);
	});
	return failed;
}

/** Tracking progress: a line at info level whenever another tenth of the batches is processed (debug per round). */
function trackingProgress(ctx: IExecuteFunctions) {
	const log = nodeLog(ctx);
	let reported = 0;
	return ({
		finished,
		total,
		elapsedMs,
		rounds,
	}: {
		finished: number;
		total: number;
		elapsedMs: number;
		rounds: number;
	}) => {
		log.debug(`tracking: ${finished} of ${total} batches processed after ${rounds} rounds, ${duration(elapsedMs)}`);
		if (finished === reported) return;
		if (finished === total || finished - reported >= Math.max(1, Math.ceil(total / 10))) {
			reported = finished;
			log.progress(`tracking: ${finished} of ${total} batches processed in ${duration(elapsedMs)}`, {
				processed: finished,
				batches: total,
			});
		}
	};
}

function finish(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	outcomes: Array<Outcome | undefined>,
	userOfItem: (i: number) => { userId?: string; email?: string },
): INodeExecutionData[] {
	const failures: number[] = [];
	for (let i = 0; i < items.length; i++) if (!outcomes[i] || outcomes[i] instanceof Error) failures.push(i);
	if (failures.length > 0) {
		nodeLog(ctx).warn(
			`bulk: ${failures.length} of ${items.length} items failed; first: ${itemLabel(failures[0])}: ${errorMessage(failureOf(outcomes[failures[0]]))}`,
			{
				failed: failures.length,
				items: items.length,
			},
		);
	}
	if (failures.length > 0 && !ctx.continueOnFail()) {
		const first = failures[0];
		const okCount = items.length - failures.length;
		throw new NodeOperationError(
			ctx.getNode(),
			`${failures.length} of ${items.length} items failed; first: ${itemLabel(first)}: ${errorMessage(failureOf(outcomes[first]))}`,
			{
				itemIndex: first,
				description:
					`Failed items: ${failures
						.slice(0, 20)
						.map((i) => i + 1)
						.join(', ')}${failures.length > 20 ? ', …' : ''}. ` +
					`${okCount} other items were accepted by ActivatePro. Turn on "On Error: Continue (using error output)" to route the failed items to their own output.`,
			},
		);
	}
	const toErrorOutput = ctx.getNode().onError === 'continueErrorOutput';
	return items.map((_, i) => {
		const outcome = outcomes[i];
		if (outcome && !(outcome instanceof Error)) return outcome;
		const error = failureOf(outcome);
		const item = errorItem(error, i);
		// On the error output n8n takes an item as failed only when its json is {error, message} and merges the
		// input item (the user's id, email…) into it: nothing may be added there. In the regular output the
		// item says itself whose it is and what kind of failure it was.
		if (!toErrorOutput) {
			item.json.kind = (refusals.has(error) ? 'rejected' : 'failed') satisfies FailureKind;
			const { userId, email } = userOfItem(i);
			if (userId !== undefined && userId !== '') item.json.userId = userId;
			if (email !== undefined && email !== '') item.json.email = email;
		}
		return item;
	});
}

/**
 * The output of an accepted entry, written property by property: on 100,000 items object spreads here
 * cost more CPU and memory than all of the HTTP work (measured with npm run bench).
 */
function resultJson(entry: Entry, trackingId: string): IDataObject {
	const json: IDataObject = { action: entry.action, userId: entry.body.id };
	if (entry.body.email !== undefined) json.email = entry.body.email;
	json.status = 'accepted';
	json.trackingId = trackingId;
	return json;
}

function markProcessed(json: IDataObject, tracking: TrackingStatus) {
	delete json.warning; // processing confirmed this user: an error that named no entry was not about it
	json.status = 'processed';
	json.stage = tracking.stage;
	json.total = tracking.total;
	json.success = tracking.success;
	json.error = tracking.error;
}

function rejection(
	ctx: IExecuteFunctions,
	entry: Entry,
	errors: ActivateProApiError[],
	prefix = 'ActivatePro rejected',
): Outcome {
	const text = errors.length ? errors.map(describeApiError).join('; ') : 'no reason given';
	const error = apiError(ctx.getNode(), {
		message:
			`${prefix} ${entry.action === 'delete' ? 'the delete of' : ''} user ${quoted(entry.body.id)} (${itemLabel(entry.itemIndex)}): ${text}`.replace(
				/\s+/g,
				' ',
			),
		httpCode: 400,
		itemIndex: entry.itemIndex,
	});
	return refusal(error);
}

function failure(error: Error): Outcome {
	return error;
}

function refusal(error: Error): Outcome {
	refusals.add(error);
	return error;
}

function failureOf(outcome: Outcome | undefined): Error {
	return outcome instanceof Error ? outcome : new Error('internal: this item has no outcome');
}
