// Email API → User → Get Many: GET /users/?locationId=, with its fields. Uses the common location list.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { getManyOfLocation, locationField, returnAllFields } from '../common';

const show = { resource: ['user'], operation: ['getMany'] };
export const properties: INodeProperties[] = [locationField(show), ...returnAllFields(show)];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Get Many',
	value: 'getMany',
	action: 'Get many users',
	description: 'List the users of a location',
};

/** GET /users/?locationId= — the API answers with every user of the location; Limit trims that. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	return getManyOfLocation(this, itemIndex, {
		path: '/users/',
		key: 'users',
		action: 'list the users',
		scope: 'users.readonly',
	});
}
