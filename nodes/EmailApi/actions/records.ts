// Email API: one user or contact addressed by its ID — read it, delete it. Uses transport, shared/.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { objectBody } from '../../shared/errors';
import { encodePathSegment } from '../../shared/http';
import { quoted } from '../../shared/text';
import { emailApiError, emailApiRequest, isNotFound, isSuccess, messageOf } from '../transport';

/** A kind of record the API addresses as /{collection}/{id}, with the scopes reading and deleting it need. */
export interface RecordKind {
	collection: 'users' | 'contacts';
	noun: 'user' | 'contact';
	readScope: string;
	writeScope: string;
}

export const USER: RecordKind = {
	collection: 'users',
	noun: 'user',
	readScope: 'users.readonly',
	writeScope: 'users.write',
};
export const CONTACT: RecordKind = {
	collection: 'contacts',
	noun: 'contact',
	readScope: 'contacts.readonly',
	writeScope: 'contacts.write',
};

const pathOf = (kind: RecordKind, id: string) => `/${kind.collection}/${encodePathSegment(id)}`;

/** GET /{collection}/{id}: the answer's body; an unknown ID fails the item naming it. */
export async function getRecord(
	ctx: IExecuteFunctions,
	itemIndex: number,
	kind: RecordKind,
	id: string,
): Promise<IDataObject> {
	const answer = await emailApiRequest(ctx, { method: 'GET', path: pathOf(kind, id), itemIndex });
	if (!isSuccess(answer)) {
		throw emailApiError(ctx.getNode(), answer, {
			action: `read the ${kind.noun}`,
			scope: kind.readScope,
			itemIndex,
			notFound: `No Email API ${kind.noun} has the ID ${quoted(id)}`,
		});
	}
	return objectBody(ctx.getNode(), answer.body, 'The Email API', itemIndex);
}

/**
 * DELETE /{collection}/{id}. Deletion sync wants the record gone: one that is already gone (or whose deletion
 * answer was lost before a retry) counts as deleted, marked alreadyDeleted. `message` is the API's own.
 */
export async function deleteRecord(
	ctx: IExecuteFunctions,
	itemIndex: number,
	kind: RecordKind,
	id: string,
): Promise<{ alreadyDeleted: boolean; message: IDataObject[string] }> {
	const answer = await emailApiRequest(ctx, { method: 'DELETE', path: pathOf(kind, id), itemIndex });
	if (isNotFound(answer)) return { alreadyDeleted: true, message: messageOf(answer.body) };
	if (!isSuccess(answer)) {
		throw emailApiError(ctx.getNode(), answer, {
			action: `delete the ${kind.noun} ${id}`,
			scope: kind.writeScope,
			itemIndex,
		});
	}
	return { alreadyDeleted: false, message: (answer.body as IDataObject | undefined)?.message ?? '' };
}
