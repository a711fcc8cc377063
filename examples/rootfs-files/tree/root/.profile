# root's shell profile in the demo root filesystem
export PS1='demo# '
