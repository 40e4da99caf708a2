// One actor: who they are, what they said, the events they took part in.
import { useQuery } from "urql";
import { Disclaimer } from "./Disclaimer";
import { ActorDocument } from "./documents";
import { disclaimersOf } from "./paging";
import { persisted } from "./persisted";

const ACTOR = persisted(ActorDocument);

export function ActorPage(props: { id: string }) {
  const [result] = useQuery({ query: ACTOR, variables: { id: props.id } });
  if (result.fetching) return <p>Loading…</p>;
  if (result.error) return <p className="error" data-testid="error">{result.error.message}</p>;
  const actor = result.data?.actor;
  if (!actor) return <p data-testid="error">No such actor.</p>;
  return (
    <section>
      <p>
        <a href="#/">← Latest articles</a>
      </p>
      <h1 data-testid="actor-name">{actor.name}</h1>
      <p className="meta">
        {[actor.kind.toLowerCase(), actor.title, actor.country].filter(Boolean).join(" · ")}
      </p>
      <h2>Claims ({actor.claims.totalCount})</h2>
      <ul className="claims">
        {actor.claims.nodes.map((claim) => (
          <li key={claim.id} data-testid="claim">
            <blockquote>{claim.text}</blockquote>
            <p className="meta">in “{claim.article.title}”</p>
            <Disclaimer disclaimer={claim.disclaimer} />
          </li>
        ))}
      </ul>
      <h2>Events</h2>
      <ul>
        {actor.events.nodes.map(({ event, role }) => (
          <li key={event.id}>
            {event.title} {event.date ? `(${event.date})` : ""} {role ? `· ${role}` : ""}
          </li>
        ))}
      </ul>
      <footer data-testid="sources">
        <h3>Publishers behind this page</h3>
        {disclaimersOf(result.extensions).map((entry) => (
          <Disclaimer key={entry.source.id} disclaimer={entry} source={entry.source.name} />
        ))}
      </footer>
    </section>
  );
}
