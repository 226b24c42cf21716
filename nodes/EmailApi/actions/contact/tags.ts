// Email API → Contact → Add Tags / Remove Tags: POST|DELETE /contacts/{id}/tags. Uses transport, answers, fields,
// shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inputError, itemLabel } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { emailApiError, isSuccess } from '../../answers';
import { emailApiRequest } from '../../transport';
import { contactIdField, contactIdOf } from './fields';

const show = { resource: ['contact'], operation: ['addTags', 'removeTags'] };

/** At most this many tags in one item: more is a mapping mistake (a whole column), not a contact's tags. */
export const MAX_TAGS = 100;
/** The longest tag we send; longer ones are refused before sending. */
export const MAX_TAG_LENGTH = 255;
/** The longest Tags text read at all (a list of MAX_TAGS tags of MAX_TAG_LENGTH, with separators). */
const MAX_TAGS_TEXT = MAX_TAGS * (MAX_TAG_LENGTH + 2);

export const properties: INodeProperties[] = [
	contactIdField(show, 'The contact, e.g. from a Contact → Create or Update step'),
	{
		displayName: 'Tags',
		name: 'tags',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. re-engaged, vip',
		description:
			'Comma-separated, or an array from an expression. Adding a tag the contact has, or removing one it has not, changes nothing.',
		displayOptions: { show },
	},
];

/**
 * POST (add) or DELETE (remove) /contacts/{contactId}/tags with {tags}. Both are idempotent (a tag is there or not),
 * so both are retried like a PUT. The output is the contact's tags as the API answers them.
 */
export async function changeTags(this: IExecuteFunctions, itemIndex: number, add: boolean): Promise<IDataObject> {
	const contactId = contactIdOf(this, itemIndex, 'Map the contact ID, e.g. {{ $json.contactId }}.');
	const tags = tagsOf(this, itemIndex);
	const answer = await emailApiRequest(this, {
		method: add ? 'POST' : 'DELETE',
		idempotent: true,
		path: `/contacts/${encodePathSegment(contactId)}/tags`,
		body: { tags },
		itemIndex,
	});
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: `${add ? 'add tags to' : 'remove tags from'} the contact ${contactId}`,
			scope: 'contacts.write',
			itemIndex,
			notFound: `No Email API contact has the ID "${contactId}"`,
		});
	}
	const answered = (answer.body as IDataObject | undefined)?.tags;
	return { contactId, [add ? 'added' : 'removed']: tags, tags: Array.isArray(answered) ? answered : [] };
}

/** The item's tags: trimmed, empty ones dropped, each once (case-insensitively); bounded before any splitting. */
export function tagsOf(ctx: IExecuteFunctions, itemIndex: number): string[] {
	const node = ctx.getNode();
	const raw = ctx.getNodeParameter('tags', itemIndex, '') as unknown;
	const refuse = (problem: string, fix: string) =>
		inputError(node, `${problem} (${itemLabel(itemIndex)})`, itemIndex, fix);
	let list: string[];
	if (Array.isArray(raw)) {
		if (raw.length > MAX_TAGS)
			throw refuse(`${raw.length} tags in one item`, `Send at most ${MAX_TAGS} tags per contact and item.`);
		list = raw.map((tag) => (typeof tag === 'string' ? tag : String(tag ?? '')));
	} else {
		const text = typeof raw === 'string' ? raw : String(raw ?? '');
		if (text.length > MAX_TAGS_TEXT) {
			throw refuse(
				`The tags are ${text.length} characters long`,
				`Send at most ${MAX_TAGS} tags of up to ${MAX_TAG_LENGTH} characters, comma-separated.`,
			);
		}
		list = text.split(',');
	}
	const seen = new Set<string>();
	const tags: string[] = [];
	for (const entry of list) {
		const tag = entry.trim();
		if (!tag) continue;
		if (tag.length > MAX_TAG_LENGTH)
			throw refuse(`A tag of ${tag.length} characters`, `Keep each tag to ${MAX_TAG_LENGTH} characters.`);
		const key = tag.toLowerCase();
		if (seen.has(key)) continue;
		seen.add(key);
		tags.push(tag);
	}
	if (tags.length === 0) throw refuse('No tags given', 'Set "Tags", e.g. re-engaged, vip.');
	if (tags.length > MAX_TAGS)
		throw refuse(`${tags.length} tags in one item`, `Send at most ${MAX_TAGS} tags per contact and item.`);
	return tags;
}
