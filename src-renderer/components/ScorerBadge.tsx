import type { Scorer } from '../../src-shared/domain';

/** Who scored an event: "LLM" (with the model name when asked) or "Rules". */
export function ScorerBadge({
  scorer,
  model,
  showModel = false,
}: {
  scorer: Scorer;
  model?: string | null;
  showModel?: boolean;
}) {
  const label = scorer === 'llm' ? 'LLM' : 'Rules';
  const title =
    scorer === 'llm'
      ? `Scored by the language model${model ? ` ${model}` : ''}`
      : 'Scored by the fallback rules';
  return (
    <span className={`scorer-badge scorer-${scorer}`} title={title}>
      {label}
      {showModel && scorer === 'llm' && model && <span className="scorer-model"> · {model}</span>}
    </span>
  );
}
