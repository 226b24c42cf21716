// ActivatePro → User → Bulk, output: each item's outcome (its output item or its error) and the run's output made
// of them. Uses transport (its error texts), shared/.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiError, errorItem, errorMessage, itemLabel } from '../../../../shared/errors';
import { nodeLog } from '../../../../shared/log';
import { quoted } from '../../../../shared/text';
import type { TrackingStatus } from '../../../tracking';
import { describeApiError, type ActivateProApiError } from '../../../transport';
import type { Entry } from '../input';

/**
 * Per input item: exactly one outcome, its output item or its error. The output item is made once, when the
 * request is answered (while others are still in flight), and completed in place when tracking reports.
 */
export type Outcome = INodeExecutionData | Error;

/** Every input item's outcome, by item index; none yet while its request is on its way. */
export type Outcomes = Array<Outcome | undefined>;

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

export function finish(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	outcomes: Outcomes,
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
export function resultJson(entry: Entry, trackingId: string): IDataObject {
	const json: IDataObject = { action: entry.action, userId: entry.body.id };
	if (entry.body.email !== undefined) json.email = entry.body.email;
	json.status = 'accepted';
	json.trackingId = trackingId;
	return json;
}

export function markProcessed(json: IDataObject, tracking: TrackingStatus) {
	delete json.warning; // processing confirmed this user: an error that named no entry was not about it
	json.status = 'processed';
	json.stage = tracking.stage;
	json.total = tracking.total;
	json.success = tracking.success;
	json.error = tracking.error;
}

export function rejection(
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

export function failure(error: Error): Outcome {
	return error;
}

export function refusal(error: Error): Outcome {
	refusals.add(error);
	return error;
}

function failureOf(outcome: Outcome | undefined): Error {
	return outcome instanceof Error ? outcome : new Error('internal: this item has no outcome');
}
