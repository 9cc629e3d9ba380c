// Shared pieces of the views: status names, badges and the journal's "what went wrong" marks.

import { h } from './dom.js';

// MS-ASCMD 2.2.2 common status codes (101 and up); below 101 the meaning depends on the command.
export const EAS_STATUS = {
  101: 'InvalidContent', 102: 'InvalidWBXML', 103: 'InvalidXML', 104: 'InvalidDateTime',
  105: 'InvalidCombinationOfIDs', 106: 'InvalidIDs', 107: 'InvalidMIME', 108: 'DeviceIdMissingOrInvalid',
  109: 'DeviceTypeMissingOrInvalid', 110: 'ServerError', 111: 'ServerErrorRetryLater',
  112: 'ActiveDirectoryAccessDenied', 113: 'MailboxQuotaExceeded', 114: 'MailboxServerOffline',
  115: 'SendQuotaExceeded', 116: 'MessageRecipientUnresolved', 117: 'MessageReplyNotAllowed',
  118: 'MessagePreviouslySent', 119: 'MessageHasNoRecipient', 120: 'MailSubmissionFailed',
  121: 'MessageReplyFailed', 122: 'AttachmentIsTooLarge', 123: 'UserHasNoMailbox',
  124: 'UserCannotBeAnonymous', 125: 'UserPrincipalCouldNotBeFound', 126: 'UserDisabledForSync',
  127: 'UserOnNewMailboxCannotSync', 128: 'UserOnLegacyMailboxCannotSync', 129: 'DeviceIsBlockedForThisUser',
  130: 'AccessDenied', 131: 'AccountDisabled', 132: 'SyncStateNotFound', 133: 'SyncStateLocked',
  134: 'SyncStateCorrupt', 135: 'SyncStateAlreadyExists', 136: 'SyncStateVersionInvalid',
  137: 'CommandNotSupported', 138: 'VersionNotSupported', 139: 'DeviceNotFullyProvisionable',
  140: 'RemoteWipeRequested', 141: 'LegacyDeviceOnStrictPolicy', 142: 'DeviceNotProvisioned',
  143: 'PolicyRefresh', 144: 'InvalidPolicyKey', 145: 'ExternallyManagedDevicesNotAllowed',
  146: 'NoRecurrenceInCalendar', 147: 'UnexpectedItemClass', 148: 'RemoteServerHasNoSSL',
  149: 'InvalidStoredRequest', 150: 'ItemNotFound', 151: 'TooManyFolders', 152: 'NoFoldersFound',
  153: 'ItemsLostAfterMove', 154: 'FailureInMoveOperation', 155: 'MoveCommandDisallowedForNonPersistentMoveAction',
  156: 'MoveCommandInvalidDestinationFolder', 160: 'AvailabilityTooManyRecipients',
  161: 'AvailabilityDLLimitReached', 162: 'AvailabilityTransientFailure', 163: 'AvailabilityFailure',
  164: 'BodyPartPreferenceTypeNotSupported', 165: 'DeviceInformationRequired', 166: 'InvalidAccountId',
  167: 'AccountSendDisabled', 168: 'IRM_FeatureDisabled', 169: 'IRM_TransientError', 170: 'IRM_PermanentError',
  171: 'IRM_InvalidTemplateID', 172: 'IRM_OperationNotPermitted', 173: 'NoPicture', 174: 'PictureTooLarge',
  175: 'PictureLimitReached', 176: 'BodyPart_ConversationTooLarge', 177: 'MaximumDevicesReached',
};

export function easStatusText(status) {
  if (!status) return '';
  return EAS_STATUS[status] ? status + ' ' + EAS_STATUS[status] : String(status);
}

// How a journal entry stands out: provisioning failures (the access and policy statuses 126-145
// other than the requests to provision, a Provision that did not succeed) and HTTP errors (4xx/5xx,
// or 0 for a connection a fault dropped). A request to provision (142, 143, or HTTP 449 before
// EAS 14.0) is the normal start of a partnership, marked but not as a failure: a loop shows as
// the same mark again and again. The mark is text as well as a class, so colour is not the only cue.
export function classify(e) {
  const http = Number(e.http_status);
  const eas = Number(e.eas_status);
  const marks = [];
  let rowClass = '';
  const provRequest = http === 449 || eas === 142 || eas === 143;
  const provFailure = !provRequest && ((eas >= 126 && eas <= 145) ||
    (e.command === 'Provision' && (http !== 200 || (eas !== 0 && eas !== 1))));
  if (provRequest) {
    rowClass = 'row-prov';
    marks.push({ cls: 'mark-prov', text: eas === 143 ? 'Policy refresh' : 'Provisioning required' });
  }
  if (provFailure) {
    rowClass = 'row-prov-fail';
    // 126-131: the mailbox or device may not sync at all; 140: a remote wipe is pending.
    const text = eas >= 126 && eas <= 131 ? 'Access refused' : eas === 140 ? 'Remote wipe' : 'Provisioning failure';
    marks.push({ cls: 'mark-prov-fail', text });
  }
  if (http === 0) {
    rowClass = rowClass || 'row-http-error';
    marks.push({ cls: 'mark-http-error', text: 'Dropped' });
  } else if (http >= 400 && !provRequest) {
    rowClass = rowClass || 'row-http-error';
    marks.push({ cls: 'mark-http-error', text: 'HTTP error' });
  }
  if (!provFailure && !provRequest && e.command === 'Provision') {
    rowClass = rowClass || 'row-prov';
    marks.push({ cls: 'mark-prov', text: 'Provisioning' });
  }
  const fault = faultOf(e);
  if (fault) marks.push({ cls: 'mark-fault', text: 'Fault ' + fault.split(':')[0] });
  return { rowClass, marks };
}

export function faultOf(e) {
  if (e.fault) return typeof e.fault === 'string' ? e.fault : e.fault.id || e.fault.rule_id || 'hit';
  const m = /^<!-- easemu fault (\S+?):/.exec(e.response_xml || '');
  return m ? m[1] : '';
}

export function marks(list) {
  return list.map((m) => h('span', { class: ['mark', m.cls] }, m.text));
}

export function badge(text, kind) {
  return h('span', { class: ['badge', kind ? 'badge-' + kind : null] }, text);
}

export function accessBadge(state) {
  const s = state || 'Allowed';
  const kind = { Allowed: 'ok', Blocked: 'bad', Quarantined: 'warn', DeviceDiscovery: 'warn' }[s] || null;
  return badge(s, kind);
}

export function policyStatusBadge(status) {
  const s = status || 'Unknown';
  const kind = { AppliedInFull: 'ok', PartiallyApplied: 'warn', NotApplied: 'bad' }[s] || null;
  return badge(s, kind);
}

// "alice@lab.test" for a value that may be a list of objects, strings or a number.
export function listText(v) {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x ? x.address || x.device_id || JSON.stringify(x) : String(x))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function valueText(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// An Exchange result list (POST /api/v1/exchange) as a list of lines: a mark, the command, and
// its output or error.
export function exchangeResults(results) {
  return h('ol', { class: 'results' }, results.map((r) => h('li', { class: r.ok ? 'result-ok' : 'result-error' },
    h('span', { class: ['mark', r.ok ? 'mark-ok' : 'mark-http-error'] }, r.ok ? 'OK' : 'Error'),
    ' ', h('code', { class: 'command' }, r.command),
    r.ok
      ? (Array.isArray(r.output) && r.output.length ? h('pre', { class: 'output' }, JSON.stringify(r.output, null, 2)) : null)
      : h('p', { class: 'error-text' }, r.error))));
}

// A page heading with optional actions on the right.
export function pageHeader(title, intro, ...actions) {
  return h('div', { class: 'page-header' },
    h('div', null, h('h1', null, title), intro ? h('p', { class: 'intro' }, intro) : null),
    actions.length ? h('div', { class: 'page-actions' }, actions) : null);
}

export function errorBox(e) {
  return h('p', { class: 'message error', role: 'alert' }, e && e.message ? e.message : String(e));
}
