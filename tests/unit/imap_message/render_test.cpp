// IMAP rendering of stored messages (RFC 9051 §7.5.2 ENVELOPE / BODYSTRUCTURE, §6.4.5 sections,
// RFC 3516 BINARY). The expected values are Dovecot 2.3.19's answers for the same messages,
// captured over the wire (APPEND, then FETCH), so the comparison is byte for byte.
#include "imap/message/render.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mime/parser.hpp"

using namespace hermod;
using namespace hermod::imap;
using T = imap::proto::SectionText;

namespace {

enum class K { Envelope, Body, BodyStructure, Section, Binary };

struct Case {
    const char* name;
    const char* message;
    K kind;
    proto::Section section;
    const char* expected;  ///< Dovecot's value of the FETCH item; "NO [UNKNOWN-CTE]" for that
    std::size_t expected_size = 0;  ///< when `expected` holds NUL octets
};

// kMsg16 holds a NUL: its length is given explicitly.
// Generated from the messages below, APPENDed to Dovecot 2.3.19 and FETCHed over the wire.
const char* const kMsg01 =  // 01-envelope.eml
    "Date: Mon, 23 Nov 2026 10:00:00 +0100\r\n"
    "Subject: Gr\303\274\303\237e aus \"K\303\266ln\"\r\n"
    "From: \"Doe, John\" <john@example.org>\r\n"
    "To: Team: alice@example.org, \"Bob B\" <bob@example.org>;, carol@example.org\r\n"
    "Cc: undisclosed-recipients:;\r\n"
    "Bcc: Hidden <@relay.example,@r2.example:h@example.net> (comment)\r\n"
    "Message-ID: <m1@example.org>\r\n"
    "In-Reply-To: <p@example.org>\r\n"
    "\r\n"
    "body line\r\n";
const char* const kMsg02 =  // 02-minimal.eml
    "From: solo@example.org\r\n"
    "Reply-To:\r\n"
    "Subject: say \"hi\" \\ there\r\n"
    "\r\n"
    "x\r\n";
const char* const kMsg03 =  // 03-alternative.eml
    "From: a@example.org\r\n"
    "To: b@example.org\r\n"
    "Subject: alt\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"XX\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--XX\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Gr=C3=BC=C3=9Fe, =\r\n"
    "soft\r\n"
    "--XX\r\n"
    "Content-Type: text/html; charset=\"UTF-8\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "PGI+aGk8L2I+Cg==\r\n"
    "--XX--\r\n"
    "epilogue\r\n";
const char* const kMsg04 =  // 04-nested.eml
    "From: a@example.org\r\n"
    "Subject: nested\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=inner\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; format=flowed\r\n"
    "\r\n"
    "plain\r\n"
    "--inner\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<p>html</p>\r\n"
    "--inner--\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: application/pdf; name=\"=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?=\"\r\n"
    "Content-Disposition: attachment;\r\n"
    " filename*0*=UTF-8''r%C3%A9sum;\r\n"
    " filename*1*=%C3%A9.pdf; size=12\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-ID: <att1@example.org>\r\n"
    "Content-Description: The CV\r\n"
    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
    "Content-Language: en, de\r\n"
    "Content-Location: http://example.org/cv.pdf\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--outer--\r\n";
const char* const kMsg05 =  // 05-rfc822.eml
    "From: a@example.org\r\n"
    "Subject: fwd\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "see attached\r\n"
    "--b1\r\n"
    "Content-Type: message/rfc822\r\n"
    "Content-Disposition: inline\r\n"
    "\r\n"
    "From: \"Inner Sender\" <inner@example.org>\r\n"
    "To: x@example.org\r\n"
    "Subject: inner subject\r\n"
    "Date: Tue, 1 Dec 2026 08:00:00 -0500\r\n"
    "Message-ID: <inner@example.org>\r\n"
    "Content-Type: multipart/mixed; boundary=\"b2\"\r\n"
    "\r\n"
    "--b2\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: x-uuencode\r\n"
    "\r\n"
    "begin 644 x\r\n"
    "end\r\n"
    "--b2\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "two\r\n"
    "lines\r\n"
    "--b2--\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: simple inner\r\n"
    "\r\n"
    "inner body\r\n"
    "--b1--\r\n";
const char* const kMsg06 =  // 06-plain.eml
    "From: a@example.org\r\n"
    "Subject: plain no content-type\r\n"
    "\r\n"
    "line1\r\n"
    "line2\r\n";
const char* const kMsg07 =  // 07-odd.eml
    "From: a@example.org\r\n"
    "Subject: odd\r\n"
    "Content-Type: multipart/mixed; boundary=\"none\"\r\n"
    "\r\n"
    "no parts at all\r\n";
const char* const kMsg08 =  // 08-b64top.eml
    "From: a@example.org\r\n"
    "Subject: b64 top\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"a b.bin\"\r\n"
    "\r\n"
    "AAEC/w==\r\n";
const char* const kMsg10 =  // 10-rfc822top.eml
    "From: a@example.org\r\n"
    "Subject: top rfc822\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "From: b@example.org\r\n"
    "Subject: inside\r\n"
    "\r\n"
    "inside body\r\n";
const char* const kMsg15 =  // 20-ext.eml
    "From: a@example.org\r\n"
    "Subject: ext\r\n"
    "Content-Type: multipart/related; boundary=r; type=\"text/html\"\r\n"
    "Content-Disposition: inline; x=1\r\n"
    "Content-Language: fr\r\n"
    "Content-Location: loc/here\r\n"
    "\r\n"
    "--r\r\n"
    "Content-Type: text/plain; name=\"say \\\"x\\\"\"\r\n"
    "Content-Description: Gr\303\274\303\237e \"desc\"\r\n"
    "Content-Language: en-US , de\r\n"
    "Content-Disposition: attachment; filename*=utf-8'en'a%20b.txt\r\n"
    "\r\n"
    "t\r\n"
    "--r\r\n"
    "Content-Type: application\r\n"
    "Content-ID: <id@x>\r\n"
    "\r\n"
    "a\r\n"
    "--r\r\n"
    "Content-Type: image/\r\n"
    "Content-MD5: abc\r\n"
    "\r\n"
    "b\r\n"
    "--r\r\n"
    "Content-Type: message/rfc822; x=y\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "Content-Description: msg\r\n"
    "\r\n"
    "Subject: no from\r\n"
    "To: group: ;\r\n"
    "\r\n"
    "c\r\n"
    "--r--\r\n";
const char kMsg16[] =  // 21-nul.eml
    "From: a@example.org\r\n"
    "Subject: nul\000 here\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "no final newline";
constexpr std::size_t kMsg16Size = sizeof(kMsg16) - 1;
const char* const kMsg18 =  // 30.eml
    "Date: \"q\" date\r\n"
    "From: \"a  b\\\\c\" <a@example.org>, x  y <b@example.org>\r\n"
    "To: \"  sp  \" <c@example.org>\r\n"
    "Subject:   lead  and\ttrail  \r\n"
    "Message-ID: <a\"b@x>\r\n"
    "In-Reply-To:  <p@x>  \r\n"
    "Content-Type: text/plain; x=\"a  b\"; y=\"c\\\\d\"; z=\"tab\there\"\r\n"
    "Content-ID: <i\"d>\r\n"
    "Content-Description: d \"q\"  two\r\n"
    "Content-MD5: m\\d\r\n"
    "Content-Location: l\"oc\r\n"
    "Content-Disposition: inline; f=\"p\\\"q\"\r\n"
    "Content-Language: e\"n\r\n"
    "\r\n"
    "b\r\n";
const char* const kMsg19 =  // 31.eml
    "From: a@example.org\r\n"
    "Subject:\r\n"
    "\r\n"
    "b\r\n";
const char* const kMsg20 =  // 32.eml
    "From: a@example.org\r\n"
    "Subject:    \r\n"
    "Content-Description:   \r\n"
    "\r\n"
    "b\r\n";
const char* const kMsg21 =  // 33.eml
    "From: a@example.org\r\n"
    "Subject: fold\r\n"
    "  ed\r\n"
    "Content-Description: fold\r\n"
    "\ted\r\n"
    "\r\n"
    "b\r\n";
const char* const kMsg22 =  // 40.eml
    "Date: a\"b\"c\"d\"e\"f\r\n"
    "From: a@example.org\r\n"
    "Subject: s\r\n"
    "Content-Description: only desc\r\n"
    "Content-Language: en\r\n"
    "\r\n"
    "b\r\n";
const char* const kMsg23 =  // 41.eml
    "From: \"a\" <\"q\\\"l\"@example.org>, Grp \"x\": b@example.org;\r\n"
    "Subject: s\r\n"
    "Content-Type: text/plain; p=\"1\\\"2\\\"3\\\"4\\\"5\\\"6\"\r\n"
    "Content-Description: fold\r\n"
    "\ted\r\n"
    "\r\n"
    "b\r\n";

const Case kCases[] = {
    {"EnvelopeGroups8bitSubject",
     kMsg01,
     K::Envelope,
     {},
     "(\"Mon, 23 Nov 2026 10:00:00 +0100\" {19}\r\n"
     "Gr\303\274\303\237e aus \"K\303\266ln\" ((\"Doe, John\" NIL \"john\" \"example.org\")) "
     "((\"Doe, John\" NIL \"john\" \"example.org\")) ((\"Doe, John\" NIL \"john\" "
     "\"example.org\")) ((NIL NIL \"Team\" NIL)(NIL NIL \"alice\" \"example.org\")(\"Bob B\" NIL "
     "\"bob\" \"example.org\")(NIL NIL NIL NIL)(NIL NIL \"carol\" \"example.org\")) ((NIL NIL "
     "\"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) ((\"Hidden\" "
     "\"@relay.example,@r2.example\" \"h\" \"example.net\")) \"<p@example.org>\" "
     "\"<m1@example.org>\")"},
    {"TextPlainDefaults",
     kMsg01,
     K::BodyStructure,
     {},
     "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 11 1 NIL NIL NIL NIL)"},
    {"EnvelopeMissingHeadersDefaults",
     kMsg02,
     K::Envelope,
     {},
     "(NIL {16}\r\n"
     "say \"hi\" \\ there ((NIL NIL \"solo\" \"example.org\")) ((NIL NIL \"solo\" "
     "\"example.org\")) ((NIL NIL \"solo\" \"example.org\")) NIL NIL NIL NIL NIL)"},
    {"AlternativeBody",
     kMsg03,
     K::Body,
     {},
     "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 24 1)(\"text\" "
     "\"html\" (\"charset\" \"UTF-8\") NIL NIL \"base64\" 16 0) \"alternative\")"},
    {"AlternativeBodyStructure",
     kMsg03,
     K::BodyStructure,
     {},
     "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 24 1 NIL NIL NIL "
     "NIL)(\"text\" \"html\" (\"charset\" \"UTF-8\") NIL NIL \"base64\" 16 0 NIL NIL NIL NIL) "
     "\"alternative\" (\"boundary\" \"XX\") NIL NIL NIL)"},
    {"BinaryQuotedPrintable",
     kMsg03,
     K::Binary,
     {{1}, T::None, {}},
     "~{13}\r\n"
     "Gr\303\274\303\237e, soft"},
    {"BinaryBase64",
     kMsg03,
     K::Binary,
     {{2}, T::None, {}},
     "~{10}\r\n"
     "<b>hi</b>\n"},
    {"BinaryWholeMessage",
     kMsg03,
     K::Binary,
     {{}, T::None, {}},
     "~{351}\r\n"
     "From: a@example.org\r\n"
     "To: b@example.org\r\n"
     "Subject: alt\r\n"
     "MIME-Version: 1.0\r\n"
     "Content-Type: multipart/alternative; boundary=\"XX\"\r\n"
     "\r\n"
     "preamble\r\n"
     "--XX\r\n"
     "Content-Type: text/plain; charset=utf-8\r\n"
     "Content-Transfer-Encoding: binary\r\n"
     "\r\n"
     "Gr\303\274\303\237e, soft\r\n"
     "--XX\r\n"
     "Content-Type: text/html; charset=\"UTF-8\"\r\n"
     "Content-Transfer-Encoding: binary\r\n"
     "\r\n"
     "<b>hi</b>\n"
     "\r\n"
     "--XX--\r\n"
     "epilogue\r\n"},
    {"BinaryNonexistent", kMsg03, K::Binary, {{9}, T::None, {}}, "{0}\r\n"},
    {"NestedBody",
     kMsg04,
     K::Body,
     {},
     "(((\"text\" \"plain\" (\"format\" \"flowed\" \"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 "
     "0)(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 11 0) "
     "\"alternative\")(\"application\" \"pdf\" (\"name\" \"=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?=\") "
     "\"<att1@example.org>\" \"The CV\" \"base64\" 12) \"mixed\")"},
    {"NestedAttachment2231",
     kMsg04,
     K::BodyStructure,
     {},
     "(((\"text\" \"plain\" (\"format\" \"flowed\" \"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 0 "
     "NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 11 0 NIL NIL "
     "NIL NIL) \"alternative\" (\"boundary\" \"inner\") NIL NIL NIL)(\"application\" \"pdf\" "
     "(\"name\" \"=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?=\") \"<att1@example.org>\" \"The CV\" \"base64\" "
     "12 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"attachment\" (\"size\" \"12\" \"filename*\" "
     "\"UTF-8''r%C3%A9sum%C3%A9.pdf\")) (\"en\" \"de\") \"http://example.org/cv.pdf\") \"mixed\" "
     "(\"boundary\" \"outer\") NIL NIL NIL)"},
    {"NestedInnerPart",
     kMsg04,
     K::Section,
     {{1, 2}, T::None, {}},
     "{11}\r\n"
     "<p>html</p>"},
    {"Rfc822Body",
     kMsg05,
     K::Body,
     {},
     "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 0)(\"message\" "
     "\"rfc822\" NIL NIL NIL \"7bit\" 369 (\"Tue, 1 Dec 2026 08:00:00 -0500\" \"inner subject\" "
     "((\"Inner Sender\" NIL \"inner\" \"example.org\")) ((\"Inner Sender\" NIL \"inner\" "
     "\"example.org\")) ((\"Inner Sender\" NIL \"inner\" \"example.org\")) ((NIL NIL \"x\" "
     "\"example.org\")) NIL NIL NIL \"<inner@example.org>\") ((\"text\" \"plain\" (\"charset\" "
     "\"iso-8859-1\") NIL NIL \"x-uuencode\" 16 1)(\"text\" \"plain\" (\"charset\" \"us-ascii\") "
     "NIL NIL \"7bit\" 10 1) \"mixed\") 19)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 35 (NIL "
     "\"simple inner\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" "
     "\"us-ascii\") NIL NIL \"7bit\" 10 0) 2) \"mixed\")"},
    {"Rfc822BodyStructure",
     kMsg05,
     K::BodyStructure,
     {},
     "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 0 NIL NIL NIL "
     "NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 369 (\"Tue, 1 Dec 2026 08:00:00 -0500\" "
     "\"inner subject\" ((\"Inner Sender\" NIL \"inner\" \"example.org\")) ((\"Inner Sender\" NIL "
     "\"inner\" \"example.org\")) ((\"Inner Sender\" NIL \"inner\" \"example.org\")) ((NIL NIL "
     "\"x\" \"example.org\")) NIL NIL NIL \"<inner@example.org>\") ((\"text\" \"plain\" "
     "(\"charset\" \"iso-8859-1\") NIL NIL \"x-uuencode\" 16 1 NIL NIL NIL NIL)(\"text\" \"plain\" "
     "(\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL) \"mixed\" (\"boundary\" "
     "\"b2\") NIL NIL NIL) 19 NIL (\"inline\" NIL) NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL "
     "\"7bit\" 35 (NIL \"simple inner\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" "
     "(\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL) "
     "\"mixed\" (\"boundary\" \"b1\") NIL NIL NIL)"},
    {"Section1",
     kMsg05,
     K::Section,
     {{1}, T::None, {}},
     "{12}\r\n"
     "see attached"},
    {"Section1Mime",
     kMsg05,
     K::Section,
     {{1}, T::Mime, {}},
     "{28}\r\n"
     "Content-Type: text/plain\r\n"
     "\r\n"},
    {"Section2Mime",
     kMsg05,
     K::Section,
     {{2}, T::Mime, {}},
     "{61}\r\n"
     "Content-Type: message/rfc822\r\n"
     "Content-Disposition: inline\r\n"
     "\r\n"},
    {"Section2Header",
     kMsg05,
     K::Section,
     {{2}, T::Header, {}},
     "{204}\r\n"
     "From: \"Inner Sender\" <inner@example.org>\r\n"
     "To: x@example.org\r\n"
     "Subject: inner subject\r\n"
     "Date: Tue, 1 Dec 2026 08:00:00 -0500\r\n"
     "Message-ID: <inner@example.org>\r\n"
     "Content-Type: multipart/mixed; boundary=\"b2\"\r\n"
     "\r\n"},
    {"Section2Text",
     kMsg05,
     K::Section,
     {{2}, T::Text, {}},
     "{165}\r\n"
     "--b2\r\n"
     "Content-Type: text/plain; charset=iso-8859-1\r\n"
     "Content-Transfer-Encoding: x-uuencode\r\n"
     "\r\n"
     "begin 644 x\r\n"
     "end\r\n"
     "--b2\r\n"
     "Content-Type: text/plain\r\n"
     "\r\n"
     "two\r\n"
     "lines\r\n"
     "--b2--\r\n"},
    {"Section2",
     kMsg05,
     K::Section,
     {{2}, T::None, {}},
     "{369}\r\n"
     "From: \"Inner Sender\" <inner@example.org>\r\n"
     "To: x@example.org\r\n"
     "Subject: inner subject\r\n"
     "Date: Tue, 1 Dec 2026 08:00:00 -0500\r\n"
     "Message-ID: <inner@example.org>\r\n"
     "Content-Type: multipart/mixed; boundary=\"b2\"\r\n"
     "\r\n"
     "--b2\r\n"
     "Content-Type: text/plain; charset=iso-8859-1\r\n"
     "Content-Transfer-Encoding: x-uuencode\r\n"
     "\r\n"
     "begin 644 x\r\n"
     "end\r\n"
     "--b2\r\n"
     "Content-Type: text/plain\r\n"
     "\r\n"
     "two\r\n"
     "lines\r\n"
     "--b2--\r\n"},
    {"Section2_1Mime",
     kMsg05,
     K::Section,
     {{2, 1}, T::Mime, {}},
     "{87}\r\n"
     "Content-Type: text/plain; charset=iso-8859-1\r\n"
     "Content-Transfer-Encoding: x-uuencode\r\n"
     "\r\n"},
    {"Section3_1",
     kMsg05,
     K::Section,
     {{3, 1}, T::None, {}},
     "{10}\r\n"
     "inner body"},
    {"Section3_1Mime",
     kMsg05,
     K::Section,
     {{3, 1}, T::Mime, {}},
     "{25}\r\n"
     "Subject: simple inner\r\n"
     "\r\n"},
    {"Section3HeaderFields",
     kMsg05,
     K::Section,
     {{3}, T::HeaderFields, {"subject"}},
     "{25}\r\n"
     "Subject: simple inner\r\n"
     "\r\n"},
    {"SectionText",
     kMsg05,
     K::Section,
     {{}, T::Text, {}},
     "{569}\r\n"
     "--b1\r\n"
     "Content-Type: text/plain\r\n"
     "\r\n"
     "see attached\r\n"
     "--b1\r\n"
     "Content-Type: message/rfc822\r\n"
     "Content-Disposition: inline\r\n"
     "\r\n"
     "From: \"Inner Sender\" <inner@example.org>\r\n"
     "To: x@example.org\r\n"
     "Subject: inner subject\r\n"
     "Date: Tue, 1 Dec 2026 08:00:00 -0500\r\n"
     "Message-ID: <inner@example.org>\r\n"
     "Content-Type: multipart/mixed; boundary=\"b2\"\r\n"
     "\r\n"
     "--b2\r\n"
     "Content-Type: text/plain; charset=iso-8859-1\r\n"
     "Content-Transfer-Encoding: x-uuencode\r\n"
     "\r\n"
     "begin 644 x\r\n"
     "end\r\n"
     "--b2\r\n"
     "Content-Type: text/plain\r\n"
     "\r\n"
     "two\r\n"
     "lines\r\n"
     "--b2--\r\n"
     "\r\n"
     "--b1\r\n"
     "Content-Type: message/rfc822\r\n"
     "\r\n"
     "Subject: simple inner\r\n"
     "\r\n"
     "inner body\r\n"
     "--b1--\r\n"},
    {"SectionHeader",
     kMsg05,
     K::Section,
     {{}, T::Header, {}},
     "{102}\r\n"
     "From: a@example.org\r\n"
     "Subject: fwd\r\n"
     "MIME-Version: 1.0\r\n"
     "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
     "\r\n"},
    {"HeaderFields",
     kMsg05,
     K::Section,
     {{}, T::HeaderFields, {"SUBJECT", "from", "X-None"}},
     "{37}\r\n"
     "From: a@example.org\r\n"
     "Subject: fwd\r\n"
     "\r\n"},
    {"HeaderFieldsNot",
     kMsg05,
     K::Section,
     {{}, T::HeaderFieldsNot, {"Subject", "MIME-version"}},
     "{69}\r\n"
     "From: a@example.org\r\n"
     "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
     "\r\n"},
    {"NonexistentPart", kMsg05, K::Section, {{9}, T::None, {}}, "{0}\r\n"},
    {"NonexistentDeep", kMsg05, K::Section, {{2, 5}, T::None, {}}, "{0}\r\n"},
    {"HeaderOfTextPart", kMsg05, K::Section, {{1}, T::Header, {}}, "{0}\r\n"},
    {"TextOfTextPart", kMsg05, K::Section, {{1}, T::Text, {}}, "{0}\r\n"},
    {"BinaryUnknownCte", kMsg05, K::Binary, {{2}, T::None, {}}, "NO [UNKNOWN-CTE]"},
    {"BinaryUnknownCteLeaf", kMsg05, K::Binary, {{2, 1}, T::None, {}}, "NO [UNKNOWN-CTE]"},
    {"BinaryIdentity",
     kMsg05,
     K::Binary,
     {{1}, T::None, {}},
     "{12}\r\n"
     "see attached"},
    {"BinaryEmbeddedMessage",
     kMsg05,
     K::Binary,
     {{3}, T::None, {}},
     "{35}\r\n"
     "Subject: simple inner\r\n"
     "\r\n"
     "inner body"},
    {"PlainPart1",
     kMsg06,
     K::Section,
     {{1}, T::None, {}},
     "{14}\r\n"
     "line1\r\n"
     "line2\r\n"},
    {"PlainPart1Mime",
     kMsg06,
     K::Section,
     {{1}, T::Mime, {}},
     "{55}\r\n"
     "From: a@example.org\r\n"
     "Subject: plain no content-type\r\n"
     "\r\n"},
    {"PlainText",
     kMsg06,
     K::Section,
     {{}, T::Text, {}},
     "{14}\r\n"
     "line1\r\n"
     "line2\r\n"},
    {"Plain1Text", kMsg06, K::Section, {{1}, T::Text, {}}, "{0}\r\n"},
    {"PlainNoMatchFields",
     kMsg06,
     K::Section,
     {{}, T::HeaderFields, {"x-no"}},
     "{2}\r\n"
     "\r\n"},
    {"PlainBodyStructure",
     kMsg06,
     K::BodyStructure,
     {},
     "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 14 2 NIL NIL NIL NIL)"},
    {"MultipartWithoutParts",
     kMsg07,
     K::BodyStructure,
     {},
     "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL) "
     "\"mixed\" (\"boundary\" \"none\") NIL NIL NIL)"},
    {"MultipartWithoutPartsBody",
     kMsg07,
     K::Body,
     {},
     "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) \"mixed\")"},
    {"Base64TopDisposition",
     kMsg08,
     K::BodyStructure,
     {},
     "(\"application\" \"octet-stream\" NIL NIL NIL \"base64\" 10 NIL (\"attachment\" "
     "(\"filename\" \"a b.bin\")) NIL NIL)"},
    {"BinaryTopBase64",
     kMsg08,
     K::Binary,
     {{1}, T::None, {}},
     "~{4}\r\n"
     "\000\001\002\377",
     10},
    {"BinaryTopWhole",
     kMsg08,
     K::Binary,
     {{}, T::None, {}},
     "~{173}\r\n"
     "From: a@example.org\r\n"
     "Subject: b64 top\r\n"
     "Content-Type: application/octet-stream\r\n"
     "Content-Disposition: attachment; filename=\"a b.bin\"\r\n"
     "Content-Transfer-Encoding: binary\r\n"
     "\r\n"
     "\000\001\002\377",
     181},
    {"Rfc822TopLevel",
     kMsg10,
     K::BodyStructure,
     {},
     "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 53 (NIL \"inside\" ((NIL NIL \"b\" "
     "\"example.org\")) ((NIL NIL \"b\" \"example.org\")) ((NIL NIL \"b\" \"example.org\")) NIL "
     "NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 13 1 NIL "
     "NIL NIL NIL) 4 NIL NIL NIL NIL)"},
    {"Rfc822TopLevelPart1",
     kMsg10,
     K::Section,
     {{1}, T::None, {}},
     "{53}\r\n"
     "From: b@example.org\r\n"
     "Subject: inside\r\n"
     "\r\n"
     "inside body\r\n"},
    {"Rfc822TopLevel1Text",
     kMsg10,
     K::Section,
     {{1}, T::Text, {}},
     "{13}\r\n"
     "inside body\r\n"},
    {"Rfc822TopLevel1_1",
     kMsg10,
     K::Section,
     {{1, 1}, T::None, {}},
     "{13}\r\n"
     "inside body\r\n"},
    // Dovecot sends ("" "" ...) for "Content-Type: image/" (nothing after the slash); the
    // mime parser keeps the type "image" (a parser difference), so that part is ours here.
    {"ExtensionData",
     kMsg15,
     K::BodyStructure,
     {},
     "((\"text\" \"plain\" (\"name\" \"say \\\"x\\\"\" \"charset\" \"us-ascii\") NIL {14}\r\n"
     "Gr\303\274\303\237e \"desc\" \"7bit\" 1 0 NIL (\"attachment\" (\"filename*\" "
     "\"utf-8'en'a%20b.txt\")) (\"en-US\" \"de\") NIL)(\"application\" \"\" NIL \"<id@x>\" NIL "
     "\"7bit\" 1 NIL NIL NIL NIL)(\"image\" \"\" NIL NIL NIL \"7bit\" 1 \"abc\" NIL NIL "
     "NIL)(\"message\" \"rfc822\" (\"x\" \"y\") NIL \"msg\" \"8bit\" 35 (NIL \"no from\" NIL NIL "
     "NIL ((NIL NIL \"group\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL) (\"text\" \"plain\" "
     "(\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL) "
     "\"related\" (\"boundary\" \"r\" \"type\" \"text/html\") (\"inline\" (\"x\" \"1\")) (\"fr\") "
     "\"loc/here\")"},
    {"EmptyGroup",
     kMsg15,
     K::Section,
     {{4}, T::None, {}},
     "{35}\r\n"
     "Subject: no from\r\n"
     "To: group: ;\r\n"
     "\r\n"
     "c"},
    {"NulInSubject",
     kMsg16,
     K::Envelope,
     {},
     "(NIL {11}\r\n"
     "nul\357\277\275 here ((NIL NIL \"a\" \"example.org\")) ((NIL NIL \"a\" \"example.org\")) "
     "((NIL NIL \"a\" \"example.org\")) NIL NIL NIL NIL NIL)"},
    {"NoFinalNewline",
     kMsg16,
     K::BodyStructure,
     {},
     "(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 16 0 NIL NIL NIL NIL)"},
    {"EscapesAndHumanStrings",
     kMsg18,
     K::Envelope,
     {},
     "(\"\\\"q\\\" date\" {14}\r\n"
     "lead and trail (({5}\r\n"
     "a b\\c NIL \"a\" \"example.org\")(\"x y\" NIL \"b\" \"example.org\")) (({5}\r\n"
     "a b\\c NIL \"a\" \"example.org\")(\"x y\" NIL \"b\" \"example.org\")) (({5}\r\n"
     "a b\\c NIL \"a\" \"example.org\")(\"x y\" NIL \"b\" \"example.org\")) (({2}\r\n"
     "sp NIL \"c\" \"example.org\")) NIL NIL \"<p@x>  \" \"<a\\\"b@x>\")"},
    {"EscapesInBodyStructure",
     kMsg18,
     K::BodyStructure,
     {},
     "(\"text\" \"plain\" (\"x\" \"a  b\" \"y\" \"c\\\\d\" \"z\" \"tab\there\" \"charset\" "
     "\"us-ascii\") \"<i\\\"d>\" \"d \\\"q\\\"  two\" \"7bit\" 3 1 \"m\\\\d\" (\"inline\" (\"f\" "
     "\"p\\\"q\")) (\"e\") \"l\\\"oc\")"},
    {"EmptySubject",
     kMsg19,
     K::Envelope,
     {},
     "(NIL \"\" ((NIL NIL \"a\" \"example.org\")) ((NIL NIL \"a\" \"example.org\")) ((NIL NIL "
     "\"a\" \"example.org\")) NIL NIL NIL NIL NIL)"},
    {"BlankSubject",
     kMsg20,
     K::Envelope,
     {},
     "(NIL \"\" ((NIL NIL \"a\" \"example.org\")) ((NIL NIL \"a\" \"example.org\")) ((NIL NIL "
     "\"a\" \"example.org\")) NIL NIL NIL NIL NIL)"},
    {"FoldedSubject",
     kMsg21,
     K::Envelope,
     {},
     "(NIL {7}\r\n"
     "fold ed ((NIL NIL \"a\" \"example.org\")) ((NIL NIL \"a\" \"example.org\")) ((NIL NIL \"a\" "
     "\"example.org\")) NIL NIL NIL NIL NIL)"},
    {"FiveQuotesInDate",
     kMsg22,
     K::Envelope,
     {},
     "({11}\r\n"
     "a\"b\"c\"d\"e\"f \"s\" ((NIL NIL \"a\" \"example.org\")) ((NIL NIL \"a\" \"example.org\")) "
     "((NIL NIL \"a\" \"example.org\")) NIL NIL NIL NIL NIL)"},
    {"QuotedLocalPartAndGroupName",
     kMsg23,
     K::Envelope,
     {},
     "(NIL \"s\" ((\"a\" NIL \"q\\\"l\" \"example.org\")(NIL NIL \"Grp x\" NIL)(NIL NIL \"b\" "
     "\"example.org\")(NIL NIL NIL NIL)) ((\"a\" NIL \"q\\\"l\" \"example.org\")(NIL NIL \"Grp x\" "
     "NIL)(NIL NIL \"b\" \"example.org\")(NIL NIL NIL NIL)) ((\"a\" NIL \"q\\\"l\" "
     "\"example.org\")(NIL NIL \"Grp x\" NIL)(NIL NIL \"b\" \"example.org\")(NIL NIL NIL NIL)) NIL "
     "NIL NIL NIL NIL)"},
    {"FiveQuotesInParam",
     kMsg23,
     K::BodyStructure,
     {},
     "(\"text\" \"plain\" (\"p\" {11}\r\n"
     "1\"2\"3\"4\"5\"6 \"charset\" \"us-ascii\") NIL \"fold\ted\" \"7bit\" 3 1 NIL NIL NIL NIL)"},
};

std::string literal(std::string_view s, bool binary = false) {
    return (binary ? "~{" : "{") + std::to_string(s.size()) + "}\r\n" + std::string(s);
}

// What our FETCH answer for `c` would be, in the form Dovecot printed it.
std::string render(const Case& c, std::string_view msg) {
    const mime::Structure s = mime::parse(msg);
    const proto::EncodeOptions opt;
    std::string out;
    switch (c.kind) {
        case K::Envelope:
            message::append_envelope(out, s.root.envelope.value_or(mime::Envelope{}), opt);
            break;
        case K::Body:
        case K::BodyStructure:
            message::append_body_structure(out, s.root, c.kind == K::BodyStructure, opt);
            break;
        case K::Section: {
            auto r = message::section_range(s, c.section, msg.size());
            if (!r) return literal("");  // Dovecot: a missing section is an empty string
            std::string_view octets = msg.substr(r->offset, r->length);
            if (r->header_filter)
                return literal(message::filter_header_fields(octets, c.section.fields,
                                                             c.section.text == T::HeaderFieldsNot));
            return literal(octets);
        }
        case K::Binary: {
            bool unknown = false;
            auto b = message::binary_section(msg, s, c.section.part, unknown);
            if (unknown) return "NO [UNKNOWN-CTE]";
            if (!b) return literal("");
            return literal(*b, message::binary_was_decoded(s, c.section.part));
        }
    }
    return out;
}

class DovecotCompat : public testing::TestWithParam<Case> {};

}  // namespace

TEST_P(DovecotCompat, SameBytes) {
    const Case& c = GetParam();
    std::string_view msg = c.message;
    if (c.message == kMsg16) msg = std::string_view(kMsg16, kMsg16Size);
    std::string_view expected = c.expected;
    if (c.expected_size) expected = std::string_view(c.expected, c.expected_size);
    EXPECT_EQ(render(c, msg), expected);
}

INSTANTIATE_TEST_SUITE_P(ImapRender, DovecotCompat, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& i) { return i.param.name; });

TEST(ImapRender, HeaderFieldsKeepFoldingAndOrder) {
    std::string h = "Subject: a\r\n b\r\nX-A: 1\r\nsubject: again\r\nTo: t@x\r\n\r\n";
    EXPECT_EQ(message::filter_header_fields(h, {"SUBJECT"}, false),
              "Subject: a\r\n b\r\nsubject: again\r\n\r\n");
    EXPECT_EQ(message::filter_header_fields(h, {"subject", "x-a"}, true), "To: t@x\r\n\r\n");
}

TEST(ImapRender, SectionRangeEdges) {
    std::string msg = "Subject: s\r\n\r\nbody\r\n";
    mime::Structure s = mime::parse(msg);
    EXPECT_FALSE(message::section_range(s, {{}, T::Mime, {}}, msg.size()));  // MIME needs a part
    auto whole = message::section_range(s, {}, msg.size());
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->length, msg.size());
    auto fields = message::section_range(s, {{}, T::HeaderFields, {"subject"}}, msg.size());
    ASSERT_TRUE(fields);
    EXPECT_TRUE(fields->header_filter);
    EXPECT_EQ(msg.substr(fields->offset, fields->length), "Subject: s\r\n\r\n");
}

TEST(ImapRender, ExplicitSenderAndUtf8Quoting) {
    std::string msg =
        "From: a@x\r\nSender: s@x\r\nReply-To: r@x\r\nSubject: Gr\303\274\303\237e\r\n\r\nb\r\n";
    mime::Structure s = mime::parse(msg);
    std::string out;
    message::append_envelope(out, *s.root.envelope, {});
    EXPECT_EQ(out,
              "(NIL {7}\r\nGr\303\274\303\237e ((NIL NIL \"a\" \"x\")) ((NIL NIL \"s\" \"x\")) "
              "((NIL NIL \"r\" \"x\")) NIL NIL NIL NIL NIL)");
    // UTF8=ACCEPT (RFC 6855 §3): valid UTF-8 may be quoted.
    out.clear();
    proto::EncodeOptions utf8;
    utf8.utf8 = true;
    message::append_envelope(out, *s.root.envelope, utf8);
    EXPECT_EQ(out.substr(0, 15), "(NIL \"Gr\303\274\303\237e\" ");
}
