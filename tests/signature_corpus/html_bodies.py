"""HTML bodies as Gmail, Outlook (desktop and web), Apple Mail and signature generators write them:
divs and <br>, MsoNormal paragraphs, layout tables with label cells, entities, hidden parts,
and the clients' reply-chain markup under the signature."""
from tests.signature_corpus.sample import Sample

_OUTLOOK_HEAD = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
                 "<style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt;} --></style></head>"
                 "<body lang=\"EN-US\"><div class=\"WordSection1\">")

SAMPLES = [
    Sample("html-gmail-signature",
           "<div dir=\"ltr\"><div>Hi Uma,</div><div><br></div><div>Contract attached.</div><div><br></div>"
           "<div>-- <br><div dir=\"ltr\" class=\"gmail_signature\"><div dir=\"ltr\"><b>Sam Lee</b><br>"
           "CFO<br>Globex Corporation<br>T: +1 415 555 0100<br><a href=\"https://globex.example\">globex.example</a>"
           "</div></div></div></div>",
           {"name": "Sam Lee", "title": "CFO", "company": "Globex Corporation",
            "phones": [("+14155550100", "work")], "website": "globex.example"},
           html=True, sender=("sam.lee@globex.example", "Sam Lee")),
    Sample("html-gmail-quote-below",
           "<div dir=\"ltr\">Works for me.<br clear=\"all\"><div><br></div><span class=\"gmail_signature_prefix\">"
           "-- </span><br><div dir=\"ltr\" class=\"gmail_signature\">Tom Baker<br>Solutions Engineer<br>"
           "Adatum Corp.<br>+1 206 555 0100</div></div><br><div class=\"gmail_quote\"><div dir=\"ltr\" "
           "class=\"gmail_attr\">On Mon, 3 Mar 2025 at 09:00, Jane Doe &lt;jane@globex.example&gt; wrote:<br></div>"
           "<blockquote class=\"gmail_quote\">Best regards,<br>Jane Doe<br>CFO<br>Globex Corporation<br>"
           "+1 555 0100</blockquote></div>",
           {"name": "Tom Baker", "title": "Solutions Engineer", "company": "Adatum Corp.",
            "phones": [("+12065550100", "work")]},
           html=True, sender=("tom.baker@adatum.example", "Tom Baker")),
    Sample("html-outlook-msonormal",
           _OUTLOOK_HEAD + "<p class=\"MsoNormal\">Hello Mark,<o:p></o:p></p><p class=\"MsoNormal\"><o:p>&nbsp;</o:p>"
           "</p><p class=\"MsoNormal\">Please see the updated forecast.<o:p></o:p></p><p class=\"MsoNormal\">"
           "<o:p>&nbsp;</o:p></p><p class=\"MsoNormal\">Kind regards,<o:p></o:p></p><p class=\"MsoNormal\">"
           "<o:p>&nbsp;</o:p></p><p class=\"MsoNormal\"><b><span style=\"color:#1F3864\">Hannah Schmidt"
           "</span></b><o:p></o:p></p><p class=\"MsoNormal\"><span style=\"color:#1F3864\">Finance Director"
           "</span><o:p></o:p></p><p class=\"MsoNormal\">Contoso Ltd<o:p></o:p></p><p class=\"MsoNormal\">"
           "Phone: +44 20 7946 0000 &#124; Mobile: +44 7700 900456<o:p></o:p></p></div></body></html>",
           {"name": "Hannah Schmidt", "title": "Finance Director", "company": "Contoso Ltd",
            "phones": [("+442079460000", "work"), ("+447700900456", "mobile")]},
           html=True, sender=("hannah.schmidt@contoso.example", "Hannah Schmidt")),
    Sample("html-outlook-reply-border-top",
           _OUTLOOK_HEAD + "<p class=\"MsoNormal\">Agreed, let's go ahead.<o:p></o:p></p><p class=\"MsoNormal\">"
           "<o:p>&nbsp;</o:p></p><p class=\"MsoNormal\">Regards,<o:p></o:p></p><p class=\"MsoNormal\">"
           "Peter Novak<o:p></o:p></p><p class=\"MsoNormal\">IT Manager<o:p></o:p></p><p class=\"MsoNormal\">"
           "Fourth Coffee Inc.<o:p></o:p></p><p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p>"
           "<div style=\"border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm\">"
           "<p class=\"MsoNormal\"><b>From:</b> Linda Park &lt;linda@litware.example&gt;<br><b>Sent:</b> "
           "Tuesday, March 4, 2025 10:12 AM<br><b>To:</b> Peter Novak<br><b>Subject:</b> Budget</p></div>"
           "<p class=\"MsoNormal\">Best,<br>Linda Park<br>VP Finance<br>Litware Inc<br>+1 425 555 0111</p>"
           "</div></body></html>",
           {"name": "Peter Novak", "title": "IT Manager", "company": "Fourth Coffee Inc."},
           html=True, sender=("peter.novak@fourthcoffee.example", "Peter Novak")),
    Sample("html-outlook-web-divrplyfwdmsg",
           "<div style=\"font-family:Aptos\">Thanks, received.</div><div><br></div><div id=\"Signature\">"
           "<div>Rachel Adams</div><div>Office Manager</div><div>Coho Winery LLC</div><div>Tel: 707-555-0142</div>"
           "</div><hr style=\"display:inline-block;width:98%\"><div id=\"divRplyFwdMsg\" dir=\"ltr\"><b>From:</b> "
           "Bob Stone &lt;bob@wideworld.example&gt;<br><b>Sent:</b> Monday<br><b>To:</b> Rachel Adams</div>"
           "<div>Cheers,<br>Bob Stone<br>Wide World Importers Ltd<br>+44 161 555 0100</div>",
           {"name": "Rachel Adams", "title": "Office Manager", "company": "Coho Winery LLC",
            "phones": [("707-555-0142", "work")]},
           html=True, sender=("rachel@cohowinery.example", "Rachel Adams")),
    Sample("html-table-label-cells",
           "<p>Hi Chris, see attached.</p><p>Best regards,</p><table cellpadding=\"0\" cellspacing=\"0\"><tr>"
           "<td style=\"padding-right:12px\"><img src=\"cid:logo\" alt=\"\" width=\"80\"></td><td>"
           "<table><tr><td colspan=\"2\"><strong>Laura Fischer</strong></td></tr><tr><td colspan=\"2\">"
           "Head of Procurement</td></tr><tr><td colspan=\"2\">Alpine Devices AG</td></tr>"
           "<tr><td>T:</td><td>+41 44 555 66 00</td></tr><tr><td>M:</td><td>+41 79 555 66 01</td></tr>"
           "<tr><td>W:</td><td><a href=\"https://alpinedevices.example\">alpinedevices.example</a></td></tr>"
           "</table></td></tr></table>",
           {"name": "Laura Fischer", "title": "Head of Procurement", "company": "Alpine Devices AG",
            "phones": [("+41445556600", "work"), ("+41795556601", "mobile")], "website": "alpinedevices.example"},
           html=True, sender=("laura.fischer@alpinedevices.example", "Laura Fischer")),
    Sample("html-hidden-preheader-and-style",
           "<html><head><style>.x{color:red}</style><title>Newsletter</title></head><body>"
           "<div style=\"display:none;max-height:0\">Don't miss our spring sale – 20% off</div>"
           "<p>Hi Ana,</p><p>Thanks for joining the webinar.</p><p>Best,<br>Marco Bianchi<br>"
           "Event Coordinator<br>Trey Research S.p.A.<br>+39 06 5555 1234</p>"
           "<script>var t=1;</script><span style=\"mso-hide:all\">+1 800 555 0000</span></body></html>",
           {"name": "Marco Bianchi", "title": "Event Coordinator", "company": "Trey Research S.p.A.",
            "phones": [("+390655551234", "work")]},
           html=True, sender=("marco.bianchi@treyresearch.example", "Marco Bianchi")),
    Sample("html-apple-blockquote-cite",
           "<html><body><div>Yes, Friday works.</div><div><br></div><div>Cheers,</div><div>Emma Wilson</div>"
           "<div>Creative Director</div><div>Southridge Video Ltd</div><div><br></div><div><blockquote type=\"cite\">"
           "<div>On 4 Mar 2025, at 10:00, Dan Ray &lt;dan@northwind.example&gt; wrote:</div><div>Regards,<br>"
           "Dan Ray<br>CTO<br>Northwind Traders Inc.</div></blockquote></div></body></html>",
           {"name": "Emma Wilson", "title": "Creative Director", "company": "Southridge Video Ltd"},
           html=True, sender=("emma@southridgevideo.example", "Emma Wilson")),
    Sample("html-entities-german",
           "<div>Hallo Herr Weber,</div><div>&nbsp;</div><div>vielen Dank f&uuml;r Ihre Anfrage.</div>"
           "<div>&nbsp;</div><div>Mit freundlichen Gr&uuml;&szlig;en</div><div>J&uuml;rgen Becker</div>"
           "<div>Vertriebsleiter</div><div>Becker &amp; Partner GmbH</div><div>Hauptstra&szlig;e 5</div>"
           "<div>10115 Berlin</div><div>Tel. +49 (0)30 1234567</div>",
           {"name": "Jürgen Becker", "title": "Vertriebsleiter", "company": "Becker & Partner GmbH",
            "phones": [("+49301234567", "work")], "address": ["Hauptstraße 5", "10115 Berlin"]},
           html=True, sender=("j.becker@becker-partner.de", "Jürgen Becker")),
    Sample("html-one-row-card",
           "<div>See you there.</div><br><div>--</div><table><tr><td><b>Chloé Laurent</b></td><td>|</td>"
           "<td>Chargée de clientèle</td><td>|</td><td>Banque Horizon SA</td></tr><tr><td colspan=\"5\">"
           "Tél. +33 1 44 55 66 77</td></tr></table>",
           {"name": "Chloé Laurent", "title": "Chargée de clientèle", "company": "Banque Horizon SA",
            "phones": [("+33144556677", "work")]},
           html=True, sender=("chloe.laurent@banquehorizon.fr", "Chloé Laurent")),
    Sample("html-list-contacts",
           "<p>Hello,</p><p>Please review.</p><p>Thanks,</p><p style=\"margin:0\">Omar Haddad</p>"
           "<p style=\"margin:0\">Project Manager</p><p style=\"margin:0\">Margie's Travel LLC</p>"
           "<ul><li>Office: +971 4 555 0100</li><li>Mobile: +971 50 555 0101</li>"
           "<li><a href=\"http://www.margiestravel.example\">www.margiestravel.example</a></li></ul>",
           {"name": "Omar Haddad", "title": "Project Manager", "company": "Margie's Travel LLC",
            "phones": [("+97145550100", "work"), ("+971505550101", "mobile")],
            "website": "www.margiestravel.example"},
           html=True, sender=("omar@margiestravel.example", "Omar Haddad")),
    Sample("html-outlook-de-reply",
           _OUTLOOK_HEAD + "<p class=\"MsoNormal\">Hallo Tim,<o:p></o:p></p><p class=\"MsoNormal\">ja, gerne.<o:p>"
           "</o:p></p><p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p><p class=\"MsoNormal\">Gruß<o:p></o:p></p>"
           "<p class=\"MsoNormal\">Frank Hoffmann<o:p></o:p></p><p class=\"MsoNormal\">Teamleiter Einkauf<o:p>"
           "</o:p></p><p class=\"MsoNormal\">Hoffmann Logistik GmbH &amp; Co. KG<o:p></o:p></p>"
           "<p class=\"MsoNormal\">Mobil: +49 160 1234567<o:p></o:p></p>"
           "<div><div style=\"border:none;border-top:solid #B5C4DF 1.0pt;padding:3.0pt 0cm 0cm 0cm\">"
           "<p class=\"MsoNormal\"><b>Von:</b> Tim Braun &lt;tim@braun.example&gt;<br><b>Gesendet:</b> "
           "Montag, 3. März 2025 09:00<br><b>An:</b> Frank Hoffmann<br><b>Betreff:</b> Termin</p></div></div>"
           "<p class=\"MsoNormal\">Viele Grüße<br>Tim Braun<br>Geschäftsführer<br>Braun AG</p></div></body></html>",
           {"name": "Frank Hoffmann", "title": "Teamleiter Einkauf", "company": "Hoffmann Logistik GmbH & Co. KG",
            "phones": [("+491601234567", "mobile")]},
           html=True, sender=("f.hoffmann@hoffmann-logistik.de", "Frank Hoffmann")),
    Sample("html-no-signature",
           "<div dir=\"ltr\">Can you resend the link? The old one expired.</div>",
           {}, html=True, sender=("someone@globex.example", "Some One")),
    Sample("html-disclaimer-table",
           "<p>Hi,</p><p>Report attached.</p><p>Best regards,<br>Isabel Costa<br>Senior Analyst<br>"
           "Lisboa Capital Lda<br>+351 21 555 0100</p><table><tr><td style=\"font-size:8pt;color:#888\">"
           "CONFIDENTIALITY NOTICE: This e-mail and any attachments are intended only for the addressee. "
           "Tel +351 21 555 9999</td></tr></table>",
           {"name": "Isabel Costa", "title": "Senior Analyst", "company": "Lisboa Capital Lda",
            "phones": [("+351215550100", "work")]},
           html=True, sender=("isabel.costa@lisboacapital.example", "Isabel Costa")),
    Sample("html-generator-two-columns",
           "<div>Thanks for the quick turnaround!</div><div><br></div><table style=\"border-collapse:collapse\">"
           "<tbody><tr><td style=\"border-right:2px solid #0072c6;padding-right:10px\"><span style=\"font-size:14px\">"
           "<b>Daniel Kim</b></span><br><span>Sales Engineer</span><br><span>Fabrikam Inc.</span></td>"
           "<td style=\"padding-left:10px\"><span>p: 425-555-0155</span><br><span>m: 425-555-0156</span><br>"
           "<span>a: 1 Microsoft Way, Redmond, WA 98052</span><br><a href=\"https://www.fabrikam.example\">"
           "www.fabrikam.example</a></td></tr></tbody></table>",
           {"name": "Daniel Kim", "title": "Sales Engineer", "company": "Fabrikam Inc.",
            "phones": [("425-555-0155", "work"), ("425-555-0156", "mobile")],
            "address": ["1 Microsoft Way, Redmond, WA 98052"], "website": "www.fabrikam.example"},
           html=True, sender=("daniel.kim@fabrikam.example", "Daniel Kim")),
    Sample("html-yahoo-quoted",
           "<div class=\"yahoo-style-wrap\"><div>Ok, thanks.</div><div><br></div><div>Regards,</div>"
           "<div>Kenji Watanabe</div><div>Purchasing Manager</div><div>Sakura Components K.K.</div></div>"
           "<div id=\"yahoo_quoted_123\" class=\"yahoo_quoted\"><div>On Monday, Anna &lt;anna@x.example&gt; "
           "wrote:</div><div>Anna Berg<br>Director<br>X Corp</div></div>",
           {"name": "Kenji Watanabe", "title": "Purchasing Manager", "company": "Sakura Components K.K."},
           html=True, sender=("kenji.watanabe@sakura-components.example", "Kenji Watanabe")),
    Sample("html-spanish-outlook-reply",
           "<div>Perfecto, gracias.</div><div><br></div><div>Un saludo,</div><div>Lucía Fernández</div>"
           "<div>Jefa de Compras</div><div>Distribuciones Levante S.L.</div><div>Tel. +34 96 555 12 34</div>"
           "<div><br></div><div style=\"border:none;border-top:solid #E1E1E1 1.0pt\"><p><b>De:</b> Carlos Ruiz"
           "<br><b>Enviado el:</b> lunes<br><b>Para:</b> Lucía<br><b>Asunto:</b> Pedido</p></div>"
           "<div>Carlos Ruiz<br>Director General<br>Ruiz S.A.</div>",
           {"name": "Lucía Fernández", "title": "Jefa de Compras", "company": "Distribuciones Levante S.L.",
            "phones": [("+34965551234", "work")]},
           html=True, sender=("lucia.fernandez@levante.example", "Lucía Fernández")),
    Sample("html-mso-conditional-and-comments",
           "<div>Noted.</div><!--[if gte mso 9]><xml><o:shapedefaults v:ext=\"edit\" spidmax=\"1026\" /></xml>"
           "<![endif]--><div><br></div><div>Thanks,</div><div>Ravi Shankar</div><div>Data Engineer</div>"
           "<div>Contoso Pharmaceuticals LLC</div><div>+91 80 5555 0100</div>",
           {"name": "Ravi Shankar", "title": "Data Engineer", "company": "Contoso Pharmaceuticals LLC",
            "phones": [("+918055550100", "work")]},
           html=True, sender=("ravi.shankar@contoso-pharma.example", "Ravi Shankar")),
    Sample("html-thunderbird-pre-signature",
           "<html><body><p>Agreed, ship on Monday.</p><pre class=\"moz-signature\" cols=\"72\">-- \n"
           "Henrik Larsen\nCTO | Nordlys Systems ApS\n+45 70 55 01 00</pre><div class=\"moz-cite-prefix\">"
           "On 03/03/2025 09:00, Jane Doe wrote:<br></div><blockquote type=\"cite\">Jane Doe<br>CFO</blockquote>"
           "</body></html>",
           {"name": "Henrik Larsen", "title": "CTO", "company": "Nordlys Systems ApS",
            "phones": [("+4570550100", "work")]},
           html=True, sender=("henrik@nordlys.example", "Henrik Larsen")),
    Sample("html-owa-x-prefixed-reply",
           "<div>Thanks, approved.</div><div><br></div><div>Kind regards,</div><div>Priya Nair</div>"
           "<div>Finance Manager</div><div>Graphic Design Institute Ltd</div><hr><div id=\"x_divRplyFwdMsg\">"
           "<font><b>From:</b> Jane Doe<br><b>Sent:</b> Monday</font></div><div class=\"x_elementToProof\">"
           "Regards,<br>Jane Doe<br>CFO<br>Globex Corporation<br>+1 415 555 0100</div>",
           {"name": "Priya Nair", "title": "Finance Manager", "company": "Graphic Design Institute Ltd"},
           html=True, sender=("priya.nair@graphicdesigninstitute.example", "Priya Nair")),
]
