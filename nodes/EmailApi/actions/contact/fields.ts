// Email API → Contact: the Contact ID field and its reading, defined once for every contact operation. Uses common.
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requiredText, type Show } from '../common';

/** The contact to act on, by its Email API ID; `description` says where it comes from for those operations. */
export const contactIdField = (show: Show, description?: string): INodeProperties => ({
	displayName: 'Contact ID',
	name: 'contactId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. {{ $json.contactId }}',
	// left out, not undefined, where none is given: the node's description stays as it was
	...(description === undefined ? {} : { description }),
	displayOptions: { show },
});

/** The item's Contact ID, trimmed; an empty one fails the item, `fix` saying what to map instead. */
export function contactIdOf(
	ctx: IExecuteFunctions,
	itemIndex: number,
	fix = 'Map the contact ID, e.g. {{ $json.emailApiContactId }}.',
): string {
	return requiredText(ctx, 'contactId', 'Contact ID', itemIndex, fix);
}
