// ActivatePro → User → Bulk, tracking waits: every accepted batch polled until processed, its items marked
// processed, failed or (read back) not applied. Uses tracking, readBack, outcomes, limits, shared/.
import type { IExecuteFunctions } from 'n8n-workflow';

import { apiError, errorMessage, inputError, itemLabel } from '../../../../shared/errors';
import { duration, nodeLog } from '../../../../shared/log';
import { quoted } from '../../../../shared/text';
import { pastDeadlineText, WaitRefused } from '../../../../shared/waits';
import {
	DEFAULT_POLL_SCHEDULE,
	fetchTracking,
	mapWithConcurrency,
	pollUntilDone,
	stopAtDeadline,
	TRACKING_EXPIRED,
	type TrackingStatus,
} from '../../../tracking';
import type { Entry } from '../input';
import { POLL_CONCURRENCY } from './limits';
import { failure, markProcessed, refusal, type Outcomes } from './outcomes';
import { findUnapplied } from './readBack';
import type { SentChunk } from './send';

/** Waits for the accepted batches (up to the Timeout) and completes their items' outcomes. */
export async function waitForChunks(ctx: IExecuteFunctions, sent: SentChunk[], timeoutMs: number, outcomes: Outcomes) {
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
