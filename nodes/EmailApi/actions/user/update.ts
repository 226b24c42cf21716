// Email API → User → Update: PUT /users/{id}, only the fields given. Uses transport, answers, fullName, common,
// fields, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { fieldCollection } from '../../../shared/description';
import { inputError, itemLabel, objectBody } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { emailApiError, isSuccess, unknownId } from '../../answers';
import { splitFullName } from '../../fullName';
import { emailApiRequest } from '../../transport';
import { commaList, parseJsonParameter, requiredText } from '../common';
import { describe, profileFieldOptions, ROLE_OPTIONS, userIdField } from './fields';

const show = { resource: ['user'], operation: ['update'] };

export const properties: INodeProperties[] = [
	userIdField(show),
	fieldCollection(
		'updateFields',
		show,
		[
			...describe(profileFieldOptions, { locationIds: "Comma-separated; replaces the user's locations" }),
			{
				displayName: 'Full Name',
				name: 'fullName',
				type: 'string',
				default: '',
				description: 'Split into first and last name; First Name and Last Name take precedence',
			},
			{ displayName: 'Role', name: 'role', type: 'options', default: 'user', options: ROLE_OPTIONS },
		].sort((a, b) => a.displayName.localeCompare(b.displayName)) as INodeProperties[],
	),
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = { name: 'Update', value: 'update', action: 'Update a user by ID' };

/** PUT /users/{userId} — only the fields given are sent (the API no longer supports changing the email). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const userId = requiredText(this, 'userId', 'User ID', itemIndex);
	const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const body: IDataObject = {};
	if (fields.fullName) Object.assign(body, splitFullName(String(fields.fullName)));
	for (const key of ['firstName', 'lastName', 'phone', 'password', 'role', 'type'] as const) {
		if (fields[key] !== undefined && fields[key] !== '') body[key] = String(fields[key]);
	}
	if (fields.locationIds !== undefined) body.locationIds = commaList(fields.locationIds);
	if (fields.permissionsJson !== undefined) {
		const permissions = parseJsonParameter(
			this,
			fields.permissionsJson,
			'Permissions (JSON)',
			itemIndex,
			'object',
		) as IDataObject;
		if (Object.keys(permissions).length) body.permissions = permissions;
	}
	if (Object.keys(body).length === 0) {
		throw inputError(
			this.getNode(),
			`Nothing to update (${itemLabel(itemIndex)})`,
			itemIndex,
			'Add at least one field under "Update Fields".',
		);
	}
	const answer = await emailApiRequest(this, {
		method: 'PUT',
		path: `/users/${encodePathSegment(userId)}`,
		body,
		itemIndex,
	});
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: `update the user ${userId}`,
			scope: 'users.write',
			itemIndex,
			notFound: unknownId('user', userId),
		});
	}
	return objectBody(this.getNode(), answer.body, 'The Email API', itemIndex);
}
