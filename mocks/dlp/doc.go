// Package dlp is a mock of Cloud DLP v2 (Sensitive Data Protection) content:inspect and
// content:deidentify, served over REST (protojson of cloud.google.com/go/dlp/apiv2/dlppb) and gRPC (the
// generated DlpServiceServer) on one port, so the official clients dlp.NewClient and dlp.NewRESTClient work
// against it unchanged with option.WithEndpoint and no credentials. Every call is a journal event
// (journal.KindInspect, KindDeidentify, KindDLPRejected, with journal.DLPData: the text received, the text
// returned, the info types asked for, the findings and the info types found), so the auditor can see what
// an assistant did before handing a customer's words to Dialogflow.
//
//	s := dlp.RunT(t)
//	c, _ := dlpapi.NewClient(ctx, option.WithEndpoint(s.Addr()), option.WithoutAuthentication(),
//		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
//	r, _ := dlpapi.NewRESTClient(ctx, option.WithEndpoint(s.URL()), option.WithoutAuthentication())
//
// # Modelled
//
//   - Routes: POST /v2/projects/*/content:{inspect,deidentify} and /v2/projects/*/locations/*/content:…
//     (https://cloud.google.com/dlp/docs/reference/rest/v2/projects.content/deidentify); any project and
//     location is served, as on the real service for a caller with access. The parent is taken from the path;
//     the REST clients repeat it in the body.
//   - Info types: EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD_NUMBER, IBAN_CODE, SPAIN_DNI_NUMBER,
//     SPAIN_NIE_NUMBER, SPAIN_NIF_NUMBER (a DNI or a NIE), SPAIN_SOCIAL_SECURITY_NUMBER, SPAIN_PASSPORT,
//     CVV_NUMBER, detected by package pii with real check digits; PERSON_NAME from an embedded list of common
//     Spanish and English first names and surnames (names.txt): a capitalised known first name, or one after
//     "me llamo"/"my name is", followed by known names and surnames. Other real built-in names
//     (STREET_ADDRESS, DATE_OF_BIRTH, …) are accepted and never found; an unknown name is INVALID_ARGUMENT.
//     With no info types in the request every modelled detector runs, as the API documents ("the system
//     will automatically choose what detectors to run").
//   - Likelihood: checksummed identifiers and e-mail VERY_LIKELY; phone, NUSS, passport and a full name
//     LIKELY; a lone first name and a CVV POSSIBLE. minLikelihood (default POSSIBLE),
//     minLikelihoodPerInfoType, includeQuote, excludeInfoTypes are honoured. Finding limits, as the
//     FindingLimits reference has them: content:inspect returns at most 3,000 findings
//     (MaxFindingsPerRequest), or maxFindingsPerRequest when lower, and maxFindingsPerInfoType, with
//     findingsTruncated; maxFindingsPerItem is ignored in a content request; no limit applies to
//     content:deidentify ("not used for de-identification"). The real limits end an inspection
//     "gradually"; the mock stops exactly at them.
//   - Findings carry infoType, likelihood, location.byteRange and location.codepointRange (UTF-8 bytes and
//     Unicode code points of the item value) and createTime from the simulated clock; quote only with
//     includeQuote. int64 fields are JSON strings and zero values are omitted, as protojson and the real API
//     write them (a range starting at 0 has no "start").
//   - Transformations (infoTypeTransformations only): replaceWithInfoTypeConfig ("[EMAIL_ADDRESS]"),
//     redactConfig (removed), replaceConfig (string, integer, boolean and float values),
//     characterMaskConfig with maskingCharacter (default "*", text items being strings), numberToMask
//     (0 = all, negative = all but n), reverseOrder and charactersToIgnore (charactersToSkip and the common
//     classes), following the examples in dlp.proto. A transformation without infoTypes applies to every
//     info type inspected; an info type may appear in one transformation only.
//   - Overview: transformedBytes is the number of bytes of the original findings transformed; one
//     transformationSummary per (transformation, info type) actually applied, in order of first application,
//     with the transformation, results [{count, code: SUCCESS}] and its transformedBytes; with nothing
//     transformed the overview is empty ("overview": {}). Where findings of
//     different info types overlap (a DNI is both SPAIN_DNI_NUMBER and SPAIN_NIF_NUMBER) one is transformed:
//     the longer, then the more likely, then the more specific (DNI/NIE before NIF). The public docs do not
//     say how the service breaks such ties; this is the choice that keeps the output readable.
//   - Errors in google.rpc.Status form (REST: {"error":{code,message,status}} with the HTTP status the REST
//     clients read; gRPC: the status code): INVALID_ARGUMENT for malformed JSON, unknown fields (one
//     "Invalid JSON payload received. Unknown name … Cannot find field." sentence per field, as Google's
//     front end writes them), malformed protobuf (which plain gRPC would call INTERNAL), a missing item or
//     deidentify_config, an unknown info type, a masking character longer than one, a transformation
//     without info types when the inspect config names none (the real message, from
//     GoogleCloudPlatform/python-docs-samples#1513), and requests over 0.5 MB, the default request size limit
//     (https://cloud.google.com/sensitive-data-protection/limits): REST refuses from Content-Length before
//     reading and never reads more than the limit plus one byte; gRPC refuses messages over the limit and
//     lets gRPC itself refuse (RESOURCE_EXHAUSTED, not journalled) anything over twice the limit.
//     The exact wording of the messages other than the quoted one is not published; they are written in the
//     service's style.
//   - Faults (WithFault, InjectFault, POST /_parley/faults, the vocabulary every mock shares): any gRPC
//     code as the kind, with the front end's usual message, e.g. RESOURCE_EXHAUSTED for the per-minute
//     quota or UNAVAILABLE, and wall-clock latency; on inspect, deidentify or both; limited to n calls or
//     until cleared.
//   - Control: Control is implemented by *Server in-process and by *ControlClient over /_parley/ (healthz,
//     the journal after a sequence number, faults), for a mock running in a container.
//   - REST answers use numeric enums when the client asks with $alt=json;enum-encoding=int, as the Go REST
//     client does.
//
// # Not modelled
//
// Everything else answers UNIMPLEMENTED and is journalled as unmodelled (which fails the scenario): other
// RPCs (jobs, templates, stored info types, redactImage, reidentify, listInfoTypes), table, byte and
// conversation items, record and image transformations, crypto, bucketing, date and dictionary
// transformations, custom info types, rule sets and stored templates. Authentication is not checked;
// hotword context, sensitivity scores and findingId are not produced.
package dlp
