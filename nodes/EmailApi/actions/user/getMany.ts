import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { emailApiError, emailApiRequest, emailApiSettings, isSuccess } from '../../transport';
import { locationField, locationOf, returnAllFields } from '../common';

const show = { resource: ['user'], operation: ['getMany'] };
export const properties: INodeProperties[] = [locationField(show), ...returnAllFields(show)];

/** GET /users/?locationId= — the API answers with every user of the location; Limit trims that. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const settings = await emailApiSettings(this);
	const locationId = locationOf(this, settings, itemIndex);
	const answer = await emailApiRequest(this, { method: 'GET', path: '/users/', qs: { locationId }, itemIndex }, settings);
	if (!isSuccess(answer)) throw emailApiError(this.getNode(), answer, { action: 'list the users', scope: 'users.readonly', itemIndex });
	const users = ((answer.body as IDataObject)?.users ?? []) as IDataObject[];
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	return returnAll ? users : users.slice(0, this.getNodeParameter('limit', itemIndex, 50) as number);
}
