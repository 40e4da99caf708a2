// A publisher's disclaimer, shown beside the data it covers.
export function Disclaimer(props: {
  disclaimer: { heading?: string | null; text: string } | null | undefined;
  source?: string;
}) {
  if (!props.disclaimer) return null;
  return (
    <aside className="disclaimer" data-testid="disclaimer">
      <strong>{props.disclaimer.heading ?? "Disclaimer"}</strong>
      {props.source ? <span className="from"> ({props.source})</span> : null}
      <p>{props.disclaimer.text}</p>
    </aside>
  );
}
