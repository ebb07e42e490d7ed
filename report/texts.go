package report

import "github.com/parley-dev/parley/audit"

// text is the wording of the renderings in one language.
type text struct {
	Lang, Title, Certified, NotCertified, Assistant, Suite, Tags, Shard, Seed, FailOn string
	Incomplete, IncompleteWhy, Subset                                                 string
	SummaryLine                                                                       string
	Rules, Rule, RuleTitle, Severity, Status, Findings, Scenarios, Scenario           string
	Duration, Passed, Broken, NotExercised, Failed, Errored, Matrix, Source           string
	Conversation, Calls, Evidence, Simulated, Refused, NoFindings, VerdictHelp        string
	NotApplicable, GoalNotReached, Applicability, GoalsWhy, Reasons, Profile          string
	BuiltinProfile                                                                    string
	Checks, Sources, ExercisedBy, Document, ShowAll, Lines                            string
	Timed                                                                             string
	ES                                                                                bool
}

var english = text{
	Lang: "en", Title: "parley certification", Certified: "CERTIFIED", NotCertified: "NOT CERTIFIED",
	Incomplete: "INCOMPLETE: NOT A CERTIFICATION", IncompleteWhy: "Critical and high rules no scenario exercised", Subset: "Only part of the suite ran",
	Assistant: "Assistant", Suite: "Suite", Tags: "Tags", Shard: "Shard", Seed: "Seed", FailOn: "Fails on",
	SummaryLine: "%d scenarios: %d passed, %d failed, %d could not run. Rules: %d passed, %d broken, %d not exercised. %d findings, %d at or above the threshold.",
	Rules:       "Rules", Rule: "Rule", RuleTitle: "Title", Severity: "Severity", Status: "Status", Findings: "Findings",
	Scenarios: "Scenarios", Scenario: "Scenario", Duration: "Duration", Passed: "passed", Broken: "broken",
	NotExercised: "not exercised", Failed: "failed", Errored: "could not run", Matrix: "Rule matrix by severity and source",
	Source: "Source", Conversation: "Conversation", Calls: "Dialogflow and DLP calls", Evidence: "Evidence",
	Simulated: "simulated time", Refused: "refused by WhatsApp", NoFindings: "No findings.",
	VerdictHelp:   "Each rule is judged by parley's auditor over everything that crossed the mocks; the assistant's own account is never trusted.",
	NotApplicable: "not applicable", GoalNotReached: "goal not reached",
	Applicability: "%d scenarios not applicable to the assistant's profile, %d whose goal was not reached. Rules not applicable: %d.",
	GoalsWhy:      "Goals the simulated customers could not reach", Reasons: "Rules not exercised or not applicable, and why",
	Profile: "Profile", BuiltinProfile: "the reference assistant's built-in profile",
	Checks: "What it checks", Sources: "Sources", ExercisedBy: "Scenarios that exercised it", Document: "document",
	ShowAll: "Show the whole document", Lines: "lines", Timed: "Timed replies (budget as written × the run's latency factor)",
}

var spanish = text{
	Lang: "es", Title: "Certificación parley", Certified: "CERTIFICADO", NotCertified: "NO CERTIFICADO",
	Incomplete: "INCOMPLETO: NO ES UNA CERTIFICACIÓN", IncompleteWhy: "Reglas críticas y altas que ningún escenario ejercitó", Subset: "Solo se ejecutó parte de la batería",
	Assistant: "Asistente", Suite: "Batería", Tags: "Etiquetas", Shard: "Fragmento", Seed: "Semilla", FailOn: "Falla desde",
	SummaryLine: "%d escenarios: %d superados, %d fallidos, %d sin poder ejecutarse. Reglas: %d cumplidas, %d incumplidas, %d sin ejercitar. %d hallazgos, %d en o por encima del umbral.",
	Rules:       "Reglas", Rule: "Regla", RuleTitle: "Título", Severity: "Gravedad", Status: "Estado", Findings: "Hallazgos",
	Scenarios: "Escenarios", Scenario: "Escenario", Duration: "Duración", Passed: "cumplida", Broken: "incumplida",
	NotExercised: "sin ejercitar", Failed: "fallido", Errored: "no se pudo ejecutar", Matrix: "Matriz de reglas por gravedad y fuente",
	Source: "Fuente", Conversation: "Conversación", Calls: "Llamadas a Dialogflow y DLP", Evidence: "Pruebas",
	Simulated: "tiempo simulado", Refused: "rechazado por WhatsApp", NoFindings: "Sin hallazgos.",
	VerdictHelp:   "El auditor de parley juzga cada regla sobre todo lo que pasó por los simuladores; nunca se fía del relato del propio asistente.",
	NotApplicable: "no aplicable", GoalNotReached: "objetivo no alcanzado",
	Applicability: "%d escenarios no aplicables según el perfil del asistente, %d cuyo objetivo no se alcanzó. Reglas no aplicables: %d.",
	GoalsWhy:      "Objetivos que los clientes simulados no pudieron alcanzar", Reasons: "Reglas sin ejercitar o no aplicables, y por qué",
	Profile: "Perfil", BuiltinProfile: "el perfil integrado del asistente de referencia",
	Checks: "Qué comprueba", Sources: "Fuentes", ExercisedBy: "Escenarios que la ejercitaron", Document: "documento",
	ShowAll: "Ver el documento completo", Lines: "líneas", Timed: "Respuestas cronometradas (plazo escrito × factor de latencia de la ejecución)",
	ES: true,
}

func texts(lang string) text {
	if lang == "es" {
		return spanish
	}
	return english
}

// Verdict is the banner's wording of a verdict.
func (t text) Verdict(v string) string {
	switch v {
	case Certified:
		return t.Certified
	case Incomplete:
		return t.Incomplete
	}
	return t.NotCertified
}

func (t text) RuleTitleOf(r Rule) string {
	if t.ES && r.TitleES != "" {
		return r.TitleES
	}
	return r.Title
}

func (t text) ScenarioStatus(s string) string {
	switch s {
	case ScenarioPassed:
		if t.ES {
			return "superado"
		}
		return "passed"
	case ScenarioError:
		return t.Errored
	case ScenarioNotApplicable:
		return t.NotApplicable
	case ScenarioGoalNotReached:
		return t.GoalNotReached
	}
	return t.Failed
}

func (t text) RuleStatus(s audit.Status) string {
	switch s {
	case audit.Passed:
		return t.Passed
	case audit.Broken:
		return t.Broken
	case RuleNotApplicable:
		return t.NotApplicable
	}
	return t.NotExercised
}

// ProfileLine describes the profile a run used, "" when the report records none.
func (t text) ProfileLine(p *ProfileInfo) string {
	switch {
	case p == nil:
		return ""
	case p.Builtin:
		return p.Business + " (" + t.BuiltinProfile + ")"
	}
	return p.Business + ", " + p.Controller + " (sha256 " + short(p.SHA256) + ")"
}

func (t text) SeverityName(s audit.Severity) string {
	if !t.ES {
		return string(s)
	}
	return map[audit.Severity]string{audit.SeverityCritical: "crítica", audit.SeverityHigh: "alta", audit.SeverityMedium: "media",
		audit.SeverityLow: "baja", audit.SeverityInfo: "informativa"}[s]
}

// family is the body of rules a rule belongs to, from its id's prefix (WA-, GDPR-, PII-, …): the "source"
// axis of the rule matrix.
func (t text) Family(id string) string {
	prefix := id
	for i, c := range id {
		if c == '-' {
			prefix = id[:i]
			break
		}
	}
	names := map[string][2]string{
		"WA":   {"WhatsApp Business Policy", "Política de WhatsApp Business"},
		"GDPR": {"GDPR / LOPDGDD", "RGPD / LOPDGDD"},
		"PII":  {"Personal data in NLU", "Datos personales en el NLU"},
		"AI":   {"AI Act transparency", "Transparencia (Reglamento de IA)"},
		"ES":   {"Spanish customer-service law", "Ley de servicios de atención a la clientela"},
		"PRIV": {"Privacy notice", "Información de privacidad"},
	}
	n, ok := names[prefix]
	if !ok {
		return prefix
	}
	if t.ES {
		return n[1]
	}
	return n[0]
}
