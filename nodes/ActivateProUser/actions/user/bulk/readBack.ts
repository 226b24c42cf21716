// ActivatePro → User → Bulk, read-back: the users of a batch whose tracking counts errors, read to tell which
// entries were not applied. Uses transport, tracking, limits, shared/http.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { encodePathSegment } from '../../../../shared/http';
import { mapWithConcurrency } from '../../../tracking';
import { activateProRequest } from '../../../transport';
import type { Entry } from '../input';
import { VERIFY_CONCURRENCY } from './limits';

/** Reads back the users of a batch that reported processing errors; returns the entries not applied. */
export async function findUnapplied(ctx: IExecuteFunctions, entries: Entry[]): Promise<Set<Entry>> {
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
