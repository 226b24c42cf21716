// Email API → User → Get: GET /users/{id}, with its field. Uses records, common, fields.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { requiredText } from '../common';
import { getRecord, USER } from '../records';
import { userIdField } from './fields';

export const properties: INodeProperties[] = [userIdField({ resource: ['user'], operation: ['get'] })];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = { name: 'Get', value: 'get', action: 'Get a user by ID' };

/** GET /users/{userId} */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return getRecord(this, itemIndex, USER, requiredText(this, 'userId', 'User ID', itemIndex));
}
