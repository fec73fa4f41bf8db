console.log('semix: the CLI lands with issue #8');
