import { useQueryClient } from '@tanstack/react-query';
import type { NotificationChannel } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { useChannels } from '../queries';
import { cacheChannel, uncacheChannel } from '../server-state';
import { useListEditor } from './use-list-editor';
import { ChannelForm } from './ChannelForm';
import { ChannelList } from './ChannelList';
import { ConfirmDialog } from './ConfirmDialog';
import { DeliveryLog } from './DeliveryLog';
import { PreferencesForm } from './PreferencesForm';

function Channels() {
  const api = useApi();
  const qc = useQueryClient();
  const channelsQuery = useChannels();
  const channels = channelsQuery.data ?? [];
  const {
    editing,
    formKey,
    deleting,
    setDeleting,
    message,
    nameRef,
    headingRef,
    resetForm,
    startNew,
    onEdit,
    onSaved,
    remove,
  } = useListEditor<NotificationChannel>({
    noun: 'channel',
    upsert: (item) => cacheChannel(qc, item),
    remove: async (item) => {
      await api.invoke('notify.channels.delete', { id: item.id });
      uncacheChannel(qc, item.id);
    },
  });

  return (
    <section className="channels" aria-labelledby="channels-title">
      <div className="section-header">
        <h3 id="channels-title" ref={headingRef} tabIndex={-1}>
          Channels
        </h3>
        <button type="button" className="button button-primary" onClick={startNew}>
          Add channel
        </button>
      </div>
      <p role="status" className="status-line">
        {message}
      </p>
      {channelsQuery.isError && (
        <div className="notice notice-error" role="alert">
          <p>Could not load channels: {errorMessage(channelsQuery.error)}</p>
          <button
            type="button"
            className="button button-small"
            onClick={() => void channelsQuery.refetch()}
          >
            Retry
          </button>
        </div>
      )}
      {channelsQuery.isPending && <p className="muted">Loading channels…</p>}
      {channelsQuery.isSuccess && channels.length === 0 && (
        <p className="muted" data-testid="channels-empty">
          No channels yet. Add a webhook, an email address or desktop notifications below.
        </p>
      )}
      {channels.length > 0 && (
        <ChannelList
          channels={channels}
          editingId={editing?.id ?? null}
          onEdit={onEdit}
          onDelete={setDeleting}
        />
      )}
      <ChannelForm
        key={editing ? `edit-${editing.id}` : `new-${formKey}`}
        channel={editing}
        nameRef={nameRef}
        onSaved={onSaved}
        onCancel={resetForm}
      />
      {deleting && (
        <ConfirmDialog
          id="delete-channel"
          title="Confirm delete"
          text={`Delete channel ${deleting.name}? Rules stop sending to it.`}
          confirmLabel="Delete channel"
          onConfirm={() => remove(deleting)}
          onCancel={() => setDeleting(null)}
        />
      )}
    </section>
  );
}

/** `#/settings/notifications`: channels, the delivery log and the notification preferences. */
export function NotificationSettings() {
  return (
    <section className="notification-settings" aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications</h2>
      <p className="page-intro">
        Where alerts are sent, what happened to each send, and when to hold them back.
      </p>
      <Channels />
      <DeliveryLog />
      <PreferencesForm />
    </section>
  );
}
