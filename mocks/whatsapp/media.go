package whatsapp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/parley-dev/parley/journal"
)

// mediaObject is an uploaded file, or one a customer sent.
type mediaObject struct {
	id       string
	mimeType string
	data     []byte
	sha256   string
	created  time.Time
}

// MediaTTL is how long an uploaded media id is valid (Meta: 30 days for uploads).
const MediaTTL = 30 * 24 * time.Hour

var allowedMedia = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/webp": true,
	"audio/aac": true, "audio/amr": true, "audio/mpeg": true, "audio/mp4": true, "audio/ogg": true,
	"video/mp4": true, "video/3gpp": true,
	"text/plain": true, "application/pdf": true, "application/msword": true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": true,
	"application/vnd.ms-excel": true, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true,
	"application/vnd.ms-powerpoint": true, "application/vnd.openxmlformats-officedocument.presentationml.presentation": true,
}

// storeMediaLocked keeps data as a media object and returns its id. s.mu must be held.
func (s *Server) storeMediaLocked(mimeType string, data []byte) string {
	s.state.mediaSeq++
	id := strconv.FormatUint(1500000000000000+uint64(s.cfg.seed%1000)*1000000+s.state.mediaSeq, 10)
	sum := sha256.Sum256(data)
	s.state.media[id] = &mediaObject{id: id, mimeType: mimeType, data: data, sha256: hex.EncodeToString(sum[:]), created: s.clock.Now()}
	return id
}

// uploadMedia serves POST /{phone-number-id}/media: multipart with messaging_product=whatsapp and file.
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request, pnid string) (any, *graphError) {
	if r.ContentLength > s.cfg.maxMedia {
		return nil, errBodyTooLarge(s.cfg.maxMedia)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.maxMedia)
	if gerr := s.authorize(r); gerr != nil {
		return nil, gerr
	}
	if pnid != s.cfg.phoneNumberID {
		return nil, errUnknownObject("post", pnid)
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, errInvalid("The media upload must be multipart/form-data")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var product, fileType string
	var data []byte
	var fileMIME, filename string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, mediaReadError(err, s.cfg.maxMedia)
		}
		switch part.FormName() {
		case "messaging_product":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			product = string(b)
		case "type":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			fileType = string(b)
		case "file":
			fileMIME = part.Header.Get("Content-Type")
			filename = part.FileName()
			data, err = io.ReadAll(part)
			if err != nil {
				return nil, mediaReadError(err, s.cfg.maxMedia)
			}
		}
		part.Close()
	}
	if product == "" {
		return nil, errRequired("messaging_product")
	}
	if product != "whatsapp" {
		return nil, errInvalid("Param messaging_product must be one of {WHATSAPP} - got %q.", product)
	}
	if data == nil {
		return nil, errRequired("file")
	}
	if fileType == "" {
		fileType = fileMIME
	}
	if fileType == "" {
		return nil, errRequired("type")
	}
	base, _, _ := mime.ParseMediaType(fileType)
	if !allowedMedia[base] {
		return nil, newError(CodeMediaUpload, "Unsupported MIME type "+fileType)
	}
	s.mu.Lock()
	id := s.storeMediaLocked(base, data)
	s.mu.Unlock()
	// The bytes go into the journal so that the auditor can read what the assistant sends as a document
	// (a data export is judged on its content: GDPR-ACCESS-01, GDPR-PORT-01, GDPR-RECT-01, …). The upload
	// names no customer; the send that uses the id does.
	md := journal.MediaData{ID: id, MimeType: base, Filename: filename, Size: len(data), Content: data}
	if len(md.Content) > MaxJournalledMediaBytes {
		// A copy: the journal keeps the event's value, and a view would keep the whole upload alive after
		// the mock has forgotten it (reset, deletion).
		md.Content, md.Truncated = bytes.Clone(md.Content[:MaxJournalledMediaBytes]), true
	}
	s.journal.Record(journal.SourceWhatsApp, journal.KindMediaUploaded, "", md)
	return map[string]string{"id": id}, nil
}

// MaxJournalledMediaBytes is how much of an uploaded file the journal keeps (MediaData.Content); the rest
// is cut and MediaData.Truncated set. Data exports are far smaller; photos and videos need not be kept
// whole to be audited, and a run with many customers must not hold every upload twice.
const MaxJournalledMediaBytes = 1 << 20

func mediaReadError(err error, limit int64) *graphError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errBodyTooLarge(limit)
	}
	return errInvalid("The multipart body could not be read")
}

func (s *Server) mediaLocked(id string) *mediaObject {
	m := s.state.media[id]
	if m == nil || s.clock.Now().Sub(m.created) > MediaTTL {
		return nil
	}
	return m
}

// mediaInfo serves GET /{media-id}.
func (s *Server) mediaInfo(r *http.Request, id string) (any, *graphError) {
	s.mu.Lock()
	m := s.mediaLocked(id)
	s.mu.Unlock()
	if m == nil {
		return nil, errUnknownObject("get", id)
	}
	if p := r.URL.Query().Get("phone_number_id"); p != "" && p != s.cfg.phoneNumberID {
		return nil, errUnknownObject("get", p)
	}
	return map[string]any{
		"messaging_product": "whatsapp", "url": requestBase(r) + "/_media/" + id, "mime_type": m.mimeType,
		"sha256": m.sha256, "file_size": len(m.data), "id": id,
	}, nil
}

// deleteMedia serves DELETE /{media-id}.
func (s *Server) deleteMedia(id string) (any, *graphError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mediaLocked(id) == nil {
		return nil, errUnknownObject("delete", id)
	}
	delete(s.state.media, id)
	return map[string]bool{"success": true}, nil
}

// downloadMedia serves the media URL: the bytes, with the bearer token, as lookaside.fbsbx.com does.
func (s *Server) downloadMedia(w http.ResponseWriter, r *http.Request, id string) {
	d := journal.RequestData{Method: r.Method, Path: r.URL.Path, HTTP: http.StatusOK}
	fail := func(gerr *graphError) {
		d.HTTP, d.Code, d.Error = gerr.HTTP, gerr.Code, gerr.Message
		s.journal.Record(journal.SourceWhatsApp, journal.KindRequestRejected, "", d)
		s.writeGraphError(w, gerr)
	}
	if gerr := s.authorize(r); gerr != nil {
		fail(gerr)
		return
	}
	s.mu.Lock()
	m := s.mediaLocked(id)
	s.mu.Unlock()
	if m == nil {
		e := errUnknownObject("get", id)
		e.HTTP = http.StatusNotFound
		fail(e)
		return
	}
	s.journal.Record(journal.SourceWhatsApp, journal.KindRequestAccepted, "", d)
	w.Header().Set("Content-Type", m.mimeType)
	w.Header().Set("Content-Length", strconv.Itoa(len(m.data)))
	_, _ = w.Write(m.data)
}

// requestBase is the base URL the request came to: what the caller can reach.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
