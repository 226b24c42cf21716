// Email API → User → Delete: DELETE /users/{id}, with its field. Uses records, common, fields.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { requiredText } from '../common';
import { deleteRecord, USER } from '../records';
import { userIdField } from './fields';

export const properties: INodeProperties[] = [userIdField({ resource: ['user'], operation: ['delete'] })];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = { name: 'Delete', value: 'delete', action: 'Delete a user by ID' };

/** DELETE /users/{userId} — the API queues the deletion and answers at once. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const userId = requiredText(this, 'userId', 'User ID', itemIndex);
	const { alreadyDeleted, message } = await deleteRecord(this, itemIndex, USER, userId);
	return alreadyDeleted ? { userId, deleted: true, alreadyDeleted, message } : { userId, deleted: true, message };
}
