// Email API → Contact → Add Tags: POST /contacts/{id}/tags. Uses tags.
import type { IDataObject, IExecuteFunctions, INodePropertyOptions } from 'n8n-workflow';

import { changeTags } from './tags';

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = { name: 'Add Tags', value: 'addTags', action: 'Add tags to a contact' };

/** POST /contacts/{contactId}/tags — a tag the contact already has stays one tag. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return changeTags.call(this, itemIndex, true);
}
