// Email API → Contact → Add to / Remove From Workflow. Uses transport, answers, common, fields, workflow/byName,
// shared/.
import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator, INodeProperties } from 'n8n-workflow';

import { inputError, itemLabel } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { quoted } from '../../../shared/text';
import { emailApiError, isSuccess } from '../../answers';
import { emailApiRequest, type EmailApiRequest } from '../../transport';
import { workflowLocator } from '../common';
import { workflowIdByName } from '../workflow/byName';
import { contactIdField, contactIdOf } from './fields';

const show = { resource: ['contact'], operation: ['addToWorkflow', 'removeFromWorkflow'] };

export const properties: INodeProperties[] = [
	contactIdField(show, 'The contact, e.g. from a Contact → Create or Update step'),
	workflowLocator(show),
	{
		displayName: 'Event Start Time',
		name: 'eventStartTime',
		type: 'dateTime',
		default: '',
		description: 'When the workflow should start for this contact; empty: now',
		displayOptions: { show: { resource: ['contact'], operation: ['addToWorkflow'] } },
	},
];

/** POST or DELETE /contacts/{contactId}/workflow/{workflowId} — enrolling is what sends the email. */
export async function changeEnrolment(this: IExecuteFunctions, itemIndex: number, add: boolean): Promise<IDataObject> {
	const contactId = contactIdOf(this, itemIndex, 'Map the contact ID, e.g. {{ $json.contactId }}.');
	const workflowId = await chosenWorkflow(this, itemIndex);
	const path = `/contacts/${encodePathSegment(contactId)}/workflow/${encodePathSegment(workflowId)}`;
	const body: IDataObject = {};
	const start = add ? String(this.getNodeParameter('eventStartTime', itemIndex, '') ?? '') : '';
	if (start) body.eventStartTime = new Date(start).toISOString();
	// Adding is not idempotent: a workflow that allows re-entry starts again (a second welcome email), and the
	// API cannot be asked whether the contact is enrolled. Removing is.
	const request: EmailApiRequest = add
		? {
				method: 'POST',
				idempotent: false,
				path,
				body,
				itemIndex,
				ifUnsure: {
					action: `Adding the contact ${quoted(contactId)} to workflow ${quoted(workflowId)}`,
					check:
						'Not sent again, so that the workflow (and its email) does not start twice for the contact. ' +
						"Look at the contact's workflows in HighLevel (the contact → Workflows) before running this item again.",
				},
			}
		: { method: 'DELETE', path, itemIndex };
	const answer = await emailApiRequest(this, request);
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: `${add ? 'add' : 'remove'} the contact ${contactId} ${add ? 'to' : 'from'} workflow ${workflowId}`,
			scope: 'contacts.write',
			itemIndex,
			notFound: `The contact ${quoted(contactId)} or the workflow ${quoted(workflowId)} does not exist`,
		});
	}
	return { contactId, workflowId, [add ? 'enrolled' : 'removed']: true };
}

/** The workflow's id: as picked from the list or given (By ID), or looked up by its name at run time (By Name). */
async function chosenWorkflow(ctx: IExecuteFunctions, itemIndex: number): Promise<string> {
	const locator = ctx.getNodeParameter('workflowId', itemIndex, '') as INodeParameterResourceLocator | string;
	const mode = typeof locator === 'object' && locator !== null ? locator.mode : 'id';
	const value = String((typeof locator === 'object' && locator !== null ? locator.value : locator) ?? '').trim();
	if (mode === 'name') return workflowIdByName(ctx, value, itemIndex);
	if (value) return value;
	throw inputError(
		ctx.getNode(),
		`"Workflow" is empty (${itemLabel(itemIndex)})`,
		itemIndex,
		'Pick a workflow from the list, give its ID, or type its name (By Name).',
	);
}
