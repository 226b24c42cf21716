// ActivatePro → User → Get by Email: GET /users/email/{email}/bu/{bu}. Uses transport, input, fields, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { inputError, itemLabel, objectBody } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { MAX_EMAIL_LENGTH, quoted } from '../../../shared/text';
import { activateProError, activateProRequest } from '../../transport';
import { businessUnitField, emailField, requestOptions } from './fields';
import { textParameter } from './input';

export const properties: INodeProperties[] = [
	emailField('getByEmail'),
	businessUnitField('getByEmail'),
	requestOptions('getByEmail'),
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Get by Email',
	value: 'getByEmail',
	action: 'Get a user by email',
};

/** GET /users/email/{email}/bu/{bu} — the business unit segment is left out when none is given. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const email = textParameter(this, 'email', 'Email', itemIndex, 'Set "Email" to the address to look up.');
	if (email.length > MAX_EMAIL_LENGTH || !email.includes('@')) {
		throw inputError(
			this.getNode(),
			`"Email" is not a valid email address: ${quoted(email)} (${itemLabel(itemIndex)})`,
			itemIndex,
			'Use an address like name@example.com.',
		);
	}
	const businessUnit = String(this.getNodeParameter('businessUnit', itemIndex, '') ?? '').trim();
	const path =
		`/users/email/${encodePathSegment(email)}` + (businessUnit ? `/bu/${encodePathSegment(businessUnit)}` : '');
	const answer = await activateProRequest(this, 'GET', path, undefined, itemIndex);
	if (answer.statusCode !== 200) {
		const where = businessUnit ? ` in business unit ${quoted(businessUnit)}` : '';
		throw activateProError(this.getNode(), answer, {
			itemIndex,
			action: 'look up the user',
			notFound: `No user has the email ${quoted(email)}${where} in ActivatePro`,
		});
	}
	return objectBody(this.getNode(), answer.body, 'ActivatePro', itemIndex);
}
