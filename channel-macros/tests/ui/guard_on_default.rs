use junction::{select, unbounded};

fn main() {
    let (_s, r) = unbounded::<i32>();
    let polling = true;
    select! {
        recv(r) -> msg => println!("{msg:?}"),
        default, if polling => println!("nothing ready"),
    }
}
