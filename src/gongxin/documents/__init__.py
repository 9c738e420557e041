"""What the platform's PDF documents share: the compact CJK font (:mod:`.fonts`) and their
layout (:mod:`.layout`: one WeasyPrint font configuration per process, one layout at a time).
Credit reports, rating certificates and decision letters are laid out here."""
