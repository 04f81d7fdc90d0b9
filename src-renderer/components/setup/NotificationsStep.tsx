import { useQueryClient } from '@tanstack/react-query';
import type { RefObject } from 'react';
import { useRef, useState } from 'react';
import type { NotificationChannel } from '../../../src-shared/domain';
import { useApi } from '../../app-context';
import { useBusyAction } from '../../use-busy-action';
import { cacheChannel } from '../../server-state';
import { completeStep } from '../../setup-state';
import { ChannelForm } from '../ChannelForm';
import { ErrorNotice } from '../ErrorNotice';
import { StepFrame } from './StepFrame';

type TestResult = { ok: boolean; error?: string } | null;

function ChannelTest({ channel }: { channel: NotificationChannel }) {
  const api = useApi();
  const { busy, error, run } = useBusyAction();
  const [result, setResult] = useState<TestResult>(null);

  const test = () =>
    run(async () => {
      setResult(null);
      setResult(await api.invoke('notify.channels.test', { id: channel.id }));
    });

  return (
    <div className="panel">
      <p>
        Channel <strong>{channel.name}</strong> saved.
      </p>
      <button type="button" className="button" disabled={busy} onClick={() => void test()}>
        {busy ? 'Sending…' : 'Send test'}
      </button>
      {result?.ok && (
        <p className="status-line status-line-good" role="status">
          ✓ Test sent — check that it arrived.
        </p>
      )}
      {result && !result.ok && (
        <ErrorNotice error={new Error(result.error ?? 'The test failed')} prefix="Test failed" />
      )}
      {error !== null && <ErrorNotice error={error} prefix="Test failed" />}
    </div>
  );
}

export function NotificationsStep({
  headingRef,
}: {
  headingRef: RefObject<HTMLHeadingElement | null>;
}) {
  const qc = useQueryClient();
  const nameRef = useRef<HTMLInputElement>(null);
  const [channel, setChannel] = useState<NotificationChannel | null>(null);
  const [formKey, setFormKey] = useState(0);

  const onSaved = (saved: NotificationChannel) => {
    cacheChannel(qc, saved);
    setChannel(saved);
    setFormKey((k) => k + 1);
  };

  return (
    <StepFrame
      title="Notifications"
      headingRef={headingRef}
      intro="Alerts always show in the app. You can also get them by email or send them to a webhook (home automation, chat)."
      onNext={channel ? () => completeStep('notifications', `Channel ${channel.name}`) : undefined}
      onSkip={() => completeStep('notifications', 'Desktop notifications only')}
    >
      <div className="form-actions">
        <button
          type="button"
          className="button"
          onClick={() => completeStep('notifications', 'Desktop notifications only')}
        >
          Desktop notifications only
        </button>
      </div>
      <ChannelForm
        key={formKey}
        channel={null}
        nameRef={nameRef}
        onSaved={onSaved}
        onCancel={() => undefined}
      />
      {channel && <ChannelTest channel={channel} />}
    </StepFrame>
  );
}
