// Email API → Contact → Remove Tags: DELETE /contacts/{id}/tags. Uses tags.
import type { IDataObject, IExecuteFunctions, INodePropertyOptions } from 'n8n-workflow';

import { changeTags } from './tags';

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Remove Tags',
	value: 'removeTags',
	action: 'Remove tags from a contact',
};

/** DELETE /contacts/{contactId}/tags — removing a tag the contact has not is no error. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return changeTags.call(this, itemIndex, false);
}
